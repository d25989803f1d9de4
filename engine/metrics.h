/* metrics.h -- the output metrics of MODEL.md §5, in one table.
 *
 * Every module that names, stores, sums or prints a metric goes through this
 * table, so adding a metric is one line here.  The order is the storage order
 * used by path buffers and the results file. */
#ifndef IPSIM_METRICS_H
#define IPSIM_METRICS_H

enum ipsim_metric {
    IPSIM_M_AREA = 0,       /* stock, ha */
    IPSIM_M_LEASED,         /* stock, ha */
    IPSIM_M_CLEAN,          /* stock, ha */
    IPSIM_M_OCCUPANCY,      /* stock, L/A (province: sum L / sum A) */
    IPSIM_M_REGISTERED,     /* flow, projects */
    IPSIM_M_FDI,            /* flow, musd */
    IPSIM_M_DOMESTIC,       /* flow, musd */
    IPSIM_M_OPERATING,      /* stock, projects */
    IPSIM_M_PRODUCTION,     /* flow, musd */
    IPSIM_M_LOST,           /* flow, projects */
    IPSIM_M_LOST_CAPITAL,   /* flow, musd */
    IPSIM_M_TOTAL_REGISTERED, /* derived flow: fdi + domestic, musd */
    IPSIM_M_PRODUCTION_GROWTH, /* derived, yearly only: prod(y)/prod(y-1) - 1 */
    IPSIM_NMETRICS
};

/* Monthly results hold every metric but production_growth, which is yearly. */
#define IPSIM_NMONTHLY IPSIM_M_PRODUCTION_GROWTH

enum ipsim_metric_kind { IPSIM_STOCK, IPSIM_FLOW, IPSIM_RATIO };

typedef struct {
    const char *name;
    const char *units;
    enum ipsim_metric_kind kind;
    const char *description;
} ipsim_metric_info;

/* Table entry for metric m (0 <= m < IPSIM_NMETRICS). */
const ipsim_metric_info *ipsim_metric_get(int m);

/* Index of the metric called name, or -1. */
int ipsim_metric_find(const char *name);

#endif
