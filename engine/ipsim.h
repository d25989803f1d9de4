/* ipsim.h -- the public API of libipsim in one include, for programs that
 * embed the engine: #include <ipsim/ipsim.h>, link with -lipsim
 * (pkg-config ipsim, or CMake's find_package(ipsim) and ipsim::ipsim).
 *
 * The usual sequence: ipsim_scenario_load() a YAML file, ipsim_run_opts_init()
 * and set paths/seed/threads, ipsim_run() to an HDF5 results file, read each
 * target's P(met) from the ipsim_target_stats it fills, ipsim_scenario_free().
 * Every call returns IPSIM_OK or an error code with a message in an
 * ipsim_error; the library never prints or exits.  ipsim_report_write()
 * turns results files into an HTML page of fan charts. */
#ifndef IPSIM_IPSIM_H
#define IPSIM_IPSIM_H

#include "error.h"
#include "metrics.h"
#include "scenario.h"
#include "stats.h"
#include "stream.h"
#include "block.h"
#include "results.h"
#include "run.h"
#include "report.h"

#endif
