/* targets.c -- the value each target looks at, per path (MODEL.md §7).
 *
 * A target reads one yearly metric of the province or of one zone; storing
 * that value per path lets the results writer compute P(met), quantiles and
 * shortfalls, and later lets paired comparisons work even on files that
 * keep only summaries. */
#include "model.h"

void ipsim_targets_eval(const ipsim_model *m, ipsim_block *b, size_t slot)
{
    const ipsim_scenario *scn = m->scn;
    int y0 = ipsim_scenario_first_year(scn);
    for (size_t k = 0; k < scn->n_targets; k++) {
        const ipsim_target *tg = &scn->targets[k];
        size_t y = (size_t)(tg->year - y0);
        double v;
        if (tg->zone < 0)
            v = ipsim_block_yearly(b, tg->metric, slot)[y];
        else
            v = ipsim_block_yearly_zone(b, tg->metric, slot)[y * b->n_zones + (size_t)tg->zone];
        b->target_values[k * b->cap + slot] = v;
    }
}
