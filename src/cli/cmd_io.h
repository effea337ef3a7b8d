/* Commands that read a results file: export (CSV) and report (text, Markdown). */
#ifndef SCENMC_CLI_CMD_IO_H
#define SCENMC_CLI_CMD_IO_H

int cmd_export(int argc, char **argv);
int cmd_report(int argc, char **argv);

#endif
