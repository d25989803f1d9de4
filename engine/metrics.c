/* metrics.c -- the metric table of metrics.h. */
#include "metrics.h"

#include <string.h>

static const ipsim_metric_info table[IPSIM_NMETRICS] = {
    {"area_ha", "ha", IPSIM_STOCK, "planned leasable area, end of period"},
    {"leased_ha", "ha", IPSIM_STOCK, "leased (occupied) land, end of period"},
    {"clean_ha", "ha", IPSIM_STOCK, "cleared land ready to lease, end of period"},
    {"occupancy", "1", IPSIM_RATIO, "leased / area, end of period"},
    {"projects_registered", "projects", IPSIM_FLOW, "projects placed (registered)"},
    {"fdi_registered_musd", "musd", IPSIM_FLOW, "FDI capital registered"},
    {"domestic_registered_musd", "musd", IPSIM_FLOW, "domestic capital registered"},
    {"projects_operating", "projects", IPSIM_STOCK, "projects operating, end of period"},
    {"production_musd", "musd", IPSIM_FLOW, "production value"},
    {"lost_projects", "projects", IPSIM_FLOW, "arriving projects that found no place"},
    {"lost_capital_musd", "musd", IPSIM_FLOW, "capital of lost projects"},
    {"total_registered_musd", "musd", IPSIM_FLOW, "FDI + domestic capital registered"},
    {"production_growth", "1", IPSIM_RATIO, "production / previous year's production - 1"},
};

const ipsim_metric_info *ipsim_metric_get(int m)
{
    return (m >= 0 && m < IPSIM_NMETRICS) ? &table[m] : NULL;
}

int ipsim_metric_find(const char *name)
{
    for (int m = 0; m < IPSIM_NMETRICS; m++)
        if (strcmp(table[m].name, name) == 0)
            return m;
    return -1;
}
