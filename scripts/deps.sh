# shellcheck shell=bash disable=SC2034
# Sourced by run.sh and test.sh: installs the Debian packages scenmc needs
# when they are missing (as root), or lists them and stops.
SCENMC_PACKAGES="build-essential cmake pkg-config libgsl-dev libhdf5-dev hdf5-tools libcmocka-dev \
librandom123-dev libyaml-dev nettle-dev libopenmpi-dev openmpi-bin python3-h5py python3-matplotlib"
# The test command also needs these (set by scripts/test.sh); xarray (both
# netCDF engines) and R's hdf5r open every kind of results file in
# tests/layout/ (docs/file-format.md).
SCENMC_TEST_PACKAGES="clang libclang-rt-14-dev libomp-14-dev valgrind \
python3-xarray python3-h5netcdf python3-netcdf4 r-base-core r-cran-hdf5r"
# ... and these for the SLURM test (tests/hpc/slurm_test.sh: a private
# single-node SLURM), unless SCENMC_TEST_SLURM=0 or a SLURM already answers.
SCENMC_SLURM_PACKAGES="slurm-wlm munge"

scenmc_install_deps() {
    local missing="" p
    for p in $SCENMC_PACKAGES ${SCENMC_EXTRA_PACKAGES:-}; do
        dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing="$missing $p"
    done
    [ -z "$missing" ] && return 0
    if [ "$(id -u)" != 0 ]; then
        echo "scenmc: these Debian packages are missing:$missing" >&2
        echo "scenmc: install them as root: apt-get update && apt-get install -y$missing" >&2
        exit 1
    fi
    echo "scenmc: installing Debian packages:$missing" >&2
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq >&2 || { echo "scenmc: apt-get update failed" >&2; exit 1; }
    # shellcheck disable=SC2086
    apt-get install -y -qq --no-install-recommends $missing >&2 || {
        echo "scenmc: could not install:$missing" >&2
        exit 1
    }
}
