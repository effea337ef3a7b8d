/* The commands that bring models in from other tools and take them out:
 * `scenmc import` and `scenmc export-model` (docs/interop.md). */
#ifndef SCENMC_CMD_INTEROP_H
#define SCENMC_CMD_INTEROP_H

int cmd_import(int argc, char **argv);
int cmd_export_model(int argc, char **argv);

#endif
