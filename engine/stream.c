/* stream.c -- keyed Philox streams for GSL samplers; see stream.h. */
#include "stream.h"

#include <Random123/philox.h>
#include <Random123/gsl_microrng.h>

/* Defines the gsl_rng_type gsl_rng_ipsim_philox and ipsim_philox_reset(). */
GSL_MICRORNG(ipsim_philox, philox4x32);

int ipsim_stream_init(ipsim_stream *s, ipsim_error *err)
{
    s->rng = gsl_rng_alloc(gsl_rng_ipsim_philox);
    if (!s->rng)
        return ipsim_error_set(err, IPSIM_ENOMEM, "out of memory allocating a random stream");
    s->key[0] = s->key[1] = 0;
    s->path = 0;
    return IPSIM_OK;
}

void ipsim_stream_free(ipsim_stream *s)
{
    if (s->rng)
        gsl_rng_free(s->rng);
    s->rng = NULL;
}

void ipsim_stream_set_path(ipsim_stream *s, uint64_t seed, uint64_t path)
{
    s->key[0] = (uint32_t)seed;
    s->key[1] = (uint32_t)(seed >> 32);
    s->path = (uint32_t)path;
}

gsl_rng *ipsim_stream_at(ipsim_stream *s, uint32_t zone, uint32_t month, uint32_t purpose,
                         uint32_t index)
{
    philox4x32_ctr_t c = {{s->path, (zone << 12) | (month & 0xFFFu),
                           (purpose << 28) | (index & 0x0FFFFFFFu), 0}};
    philox4x32_key_t k = {{s->key[0], s->key[1]}};
    ipsim_philox_reset(s->rng, c, k);
    return s->rng;
}
