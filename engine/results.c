/* results.c -- the HDF5 results file of MODEL.md §10 (see results.h).
 *
 * Layout: root attributes, the scenario text, dimension scales at the root
 * (path, year, zone, quantile, month, target), per-path groups yearly/,
 * yearly_zone/, monthly/, monthly_zone/ by store mode, target_values
 * [path, target], then summary/ and targets written at finish.  Every
 * dataset axis is attached to a scale so that xarray (h5netcdf) can open the
 * root and each group.
 *
 * Per-path data go straight to disk block by block; summaries are computed
 * at finish from what was written, read back in path order, so they do not
 * depend on the order blocks arrived in.  In summary store mode the province
 * yearly data still have to exist somewhere for that read-back: they go to a
 * scratch file of columns (scratch.h) that is deleted at the end.
 *
 * Calls on one ipsim_results must not run concurrently (serial HDF5). */
#ifdef __linux__
#define _GNU_SOURCE /* sync_file_range */
#endif
#include "results_impl.h"

/* ---- errors ---- */

static herr_t innermost_msg(unsigned n, const H5E_error2_t *e, void *data)
{
    if (n == 0)
        snprintf((char *)data, 256, "%s", e->desc ? e->desc : "unknown error");
    return 0;
}

/* IPSIM_EIO naming the file, what was being done, and HDF5's own words. */
int rs_h5_error(ipsim_error *err, const char *file, const char *what)
{
    char detail[256] = "";
    H5Ewalk2(H5E_DEFAULT, H5E_WALK_UPWARD, innermost_msg, detail);
    H5Eclear2(H5E_DEFAULT);
    /* A system call's failure is reported as "..., error message = 'WHY', ...":
     * WHY is all the user needs (the file is named already). */
    char *why = strstr(detail, "error message = '");
    if (why) {
        why += strlen("error message = '");
        char *end = strchr(why, '\'');
        if (end)
            *end = '\0';
        memmove(detail, why, strlen(why) + 1);
    }
    return ipsim_error_set(err, IPSIM_EIO, "%s: cannot %s%s%s", file, what, detail[0] ? ": " : "",
                           detail);
}

/* Every successful HDF5 call clears the error stack, so a failure's stack is
 * set aside while its cleanup runs and put back for rs_h5_error to read. */
hid_t rs_errors_save(herr_t st)
{
    return st < 0 ? H5Eget_current_stack() : -1;
}

void rs_errors_restore(hid_t stack)
{
    if (stack >= 0)
        H5Eset_current_stack(stack);
}

static char *concat(const char *a, const char *b)
{
    size_t la = strlen(a), lb = strlen(b);
    char *s = malloc(la + lb + 1);
    if (s) {
        memcpy(s, a, la);
        memcpy(s + la, b, lb + 1);
    }
    return s;
}

/* ---- attributes ---- */

hid_t rs_str_type(void)
{
    hid_t t = H5Tcopy(H5T_C_S1);
    if (t < 0)
        return t;
    if (H5Tset_size(t, H5T_VARIABLE) < 0 || H5Tset_cset(t, H5T_CSET_UTF8) < 0) {
        H5Tclose(t);
        return -1;
    }
    return t;
}

static herr_t attr_write(hid_t obj, const char *name, hid_t type, hsize_t n, int scalar,
                         const void *data)
{
    hid_t sp = scalar ? H5Screate(H5S_SCALAR) : H5Screate_simple(1, &n, NULL);
    hid_t a = sp < 0 ? -1 : H5Acreate2(obj, name, type, sp, H5P_DEFAULT, H5P_DEFAULT);
    herr_t st = a < 0 ? -1 : H5Awrite(a, type, data);
    if (a >= 0)
        H5Aclose(a);
    if (sp >= 0)
        H5Sclose(sp);
    return st;
}

herr_t rs_attr_str(hid_t obj, const char *name, const char *value)
{
    hid_t t = rs_str_type();
    herr_t st = t < 0 ? -1 : attr_write(obj, name, t, 1, 1, &value);
    if (t >= 0)
        H5Tclose(t);
    return st;
}

static herr_t attr_int(hid_t obj, const char *name, int value)
{
    return attr_write(obj, name, H5T_NATIVE_INT, 1, 1, &value);
}

static herr_t attr_u64(hid_t obj, const char *name, uint64_t value)
{
    return attr_write(obj, name, H5T_NATIVE_UINT64, 1, 1, &value);
}

static const char *kind_name(enum ipsim_metric_kind k)
{
    return k == IPSIM_STOCK ? "stock" : k == IPSIM_FLOW ? "flow" : "ratio";
}

/* units, long_name and kind of metric m on a dataset. */
herr_t rs_attr_metric(hid_t ds, int m, const char *prefix)
{
    const ipsim_metric_info *mi = ipsim_metric_get(m);
    char long_name[256];
    snprintf(long_name, sizeof long_name, "%s%s", prefix, mi->description);
    if (rs_attr_str(ds, "units", mi->units) < 0 || rs_attr_str(ds, "long_name", long_name) < 0 ||
        rs_attr_str(ds, "kind", kind_name(mi->kind)) < 0)
        return -1;
    return 0;
}

/* ---- root attributes and the scenario text ---- */

static herr_t write_root_attrs(const ipsim_results *r, uint64_t seed)
{
    static const char *store_names[] = {"summary", "yearly", "monthly"};
    char start[MONTH_BUF], created[32];
    ipsim_month_format(r->scn->start_abs, start, sizeof start);
    time_t now = time(NULL);
    struct tm tm;
    if (!gmtime_r(&now, &tm) || !strftime(created, sizeof created, "%Y-%m-%dT%H:%M:%SZ", &tm))
        snprintf(created, sizeof created, "unknown");
    int partial[IPSIM_MAX_HORIZON / 12 + 2];
    for (size_t y = 0; y < r->n_years; y++)
        partial[y] = ipsim_scenario_year_partial(r->scn, (int)y);
    hid_t f = r->file;
    if (rs_attr_str(f, "format", "ipsim") < 0 ||
        attr_int(f, "format_version", IPSIM_FORMAT_VERSION) < 0 ||
        attr_int(f, "variates_version", IPSIM_VARIATES_VERSION) < 0 ||
        rs_attr_str(f, "ipsim_version", IPSIM_VERSION_STRING) < 0 ||
        rs_attr_str(f, "scenario_name", r->scn->name ? r->scn->name : "") < 0 ||
        attr_u64(f, "seed", seed) < 0 || attr_u64(f, "paths", r->n_paths) < 0 ||
        rs_attr_str(f, "start", start) < 0 ||
        attr_int(f, "horizon_months", r->scn->horizon_months) < 0 ||
        rs_attr_str(f, "created_utc", created) < 0 ||
        rs_attr_str(f, "store", store_names[r->store]) < 0 ||
        attr_u64(f, "block_paths", r->block_paths) < 0 ||
        attr_int(f, "first_year", r->first_year) < 0)
        return -1;
    return attr_write(f, "partial_years", H5T_NATIVE_INT, r->n_years, 0, partial);
}

static herr_t write_scenario_text(const ipsim_results *r)
{
    /* The text may not be NUL-terminated; a vlen string needs it. */
    size_t len = r->scn->text ? r->scn->text_len : 0;
    char *text = malloc(len + 1);
    if (!text)
        return -1;
    if (len)
        memcpy(text, r->scn->text, len);
    text[len] = '\0';
    hid_t t = rs_str_type(), sp = H5Screate(H5S_SCALAR);
    hid_t ds = t < 0 || sp < 0
                   ? -1
                   : H5Dcreate2(r->file, "scenario", t, sp, H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT);
    herr_t st = ds < 0 ? -1 : H5Dwrite(ds, t, H5S_ALL, H5S_ALL, H5P_DEFAULT, &text);
    if (st >= 0)
        st = rs_attr_str(ds, "long_name", "scenario file, verbatim");
    /* `--set` overrides are applied on top of the verbatim text, in order */
    if (st >= 0 && r->scn->n_overrides)
        st = attr_write(ds, "overrides", t, r->scn->n_overrides, 0, r->scn->overrides);
    if (st >= 0 && r->scn->n_overrides)
        st = attr_write(r->file, "overrides", t, r->scn->n_overrides, 0, r->scn->overrides);
    if (ds >= 0)
        H5Dclose(ds);
    if (sp >= 0)
        H5Sclose(sp);
    if (t >= 0)
        H5Tclose(t);
    free(text);
    return st;
}

/* ---- dimension scales ---- */

/* A 1-D dataset made a dimension scale called name. */
static hid_t scale_create(hid_t file, const char *name, hid_t type, hsize_t n, const void *data,
                          const char *long_name, const char *units)
{
    hid_t sp = H5Screate_simple(1, &n, NULL);
    hid_t ds =
        sp < 0 ? -1 : H5Dcreate2(file, name, type, sp, H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT);
    if (sp >= 0)
        H5Sclose(sp);
    if (ds < 0)
        return -1;
    if ((data && H5Dwrite(ds, type, H5S_ALL, H5S_ALL, H5P_DEFAULT, data) < 0) ||
        H5DSset_scale(ds, name) < 0 || rs_attr_str(ds, "long_name", long_name) < 0 ||
        (units && rs_attr_str(ds, "units", units) < 0)) {
        H5Dclose(ds);
        return -1;
    }
    return ds;
}

/* The path scale 0 .. N-1, written in pieces so memory does not grow with N. */
static hid_t scale_path(hid_t file, hsize_t n)
{
    hsize_t chunk = n < PATH_PIECE ? n : PATH_PIECE;
    hid_t dcpl = H5Pcreate(H5P_DATASET_CREATE), sp = H5Screate_simple(1, &n, NULL);
    hid_t ds = -1;
    if (dcpl >= 0 && sp >= 0 && H5Pset_chunk(dcpl, 1, &chunk) >= 0 && H5Pset_shuffle(dcpl) >= 0 &&
        H5Pset_deflate(dcpl, DEFLATE_LEVEL) >= 0)
        ds = H5Dcreate2(file, "path", H5T_NATIVE_UINT64, sp, H5P_DEFAULT, dcpl, H5P_DEFAULT);
    uint64_t *buf = malloc(chunk * sizeof *buf);
    herr_t st = ds < 0 || !buf ? -1 : 0;
    for (hsize_t p0 = 0; st >= 0 && p0 < n; p0 += chunk) {
        hsize_t cnt = n - p0 < chunk ? n - p0 : chunk;
        for (hsize_t i = 0; i < cnt; i++)
            buf[i] = p0 + i;
        hid_t mem = H5Screate_simple(1, &cnt, NULL);
        st = mem < 0 ? -1 : H5Sselect_hyperslab(sp, H5S_SELECT_SET, &p0, NULL, &cnt, NULL);
        if (st >= 0)
            st = H5Dwrite(ds, H5T_NATIVE_UINT64, mem, sp, H5P_DEFAULT, buf);
        if (mem >= 0)
            H5Sclose(mem);
    }
    if (st >= 0 &&
        (H5DSset_scale(ds, "path") < 0 || rs_attr_str(ds, "long_name", "Monte Carlo path index") < 0))
        st = -1;
    free(buf);
    if (sp >= 0)
        H5Sclose(sp);
    if (dcpl >= 0)
        H5Pclose(dcpl);
    if (st < 0 && ds >= 0)
        H5Dclose(ds);
    return st < 0 ? -1 : ds;
}

static hid_t scale_strings(hid_t file, const char *name, const char **s, hsize_t n,
                           const char *long_name)
{
    hid_t t = rs_str_type();
    hid_t ds = t < 0 ? -1 : scale_create(file, name, t, n, s, long_name, NULL);
    if (t >= 0)
        H5Tclose(t);
    return ds;
}

static hid_t scale_zone(const ipsim_results *r)
{
    const char **names = malloc((r->n_zones ? r->n_zones : 1) * sizeof *names);
    if (!names)
        return -1;
    for (size_t z = 0; z < r->n_zones; z++)
        names[z] = r->scn->zones[z].name ? r->scn->zones[z].name : "";
    hid_t ds = scale_strings(r->file, "zone", names, r->n_zones, "zone name");
    free(names);
    return ds;
}

static hid_t scale_month(const ipsim_results *r)
{
    char *buf = malloc(r->n_months * MONTH_BUF + 1);
    const char **names = malloc((r->n_months + 1) * sizeof *names);
    hid_t ds = -1;
    if (buf && names) {
        for (size_t t = 0; t < r->n_months; t++) {
            names[t] = buf + MONTH_BUF * t;
            ipsim_month_format(r->scn->start_abs + (int)t, buf + MONTH_BUF * t, MONTH_BUF);
        }
        ds = scale_strings(r->file, "month", names, r->n_months, "calendar month (YYYY-MM)");
    }
    free(buf);
    free(names);
    return ds;
}

static hid_t scale_ints(hid_t file, const char *name, int first, size_t n, const char *long_name)
{
    int *v = malloc((n ? n : 1) * sizeof *v);
    if (!v)
        return -1;
    for (size_t i = 0; i < n; i++)
        v[i] = first + (int)i;
    hid_t ds = scale_create(file, name, H5T_NATIVE_INT32, n, v, long_name, NULL);
    free(v);
    return ds;
}

static herr_t write_scales(ipsim_results *r)
{
    hid_t *s = r->scale;
    s[S_PATH] = scale_path(r->file, r->n_paths);
    s[S_YEAR] = scale_ints(r->file, "year", r->first_year, r->n_years, "calendar year");
    s[S_ZONE] = scale_zone(r);
    s[S_QUANTILE] = scale_create(r->file, "quantile", H5T_NATIVE_DOUBLE, IPSIM_NQUANTILES,
                                 ipsim_quantile_probs, "quantile probability (type 7)", "1");
    if (s[S_PATH] < 0 || s[S_YEAR] < 0 || s[S_ZONE] < 0 || s[S_QUANTILE] < 0)
        return -1;
    if (r->store == IPSIM_STORE_MONTHLY && (s[S_MONTH] = scale_month(r)) < 0)
        return -1;
    if (r->n_targets &&
        (s[S_TARGET] = scale_ints(r->file, "target", 0, r->n_targets, "target index")) < 0)
        return -1;
    /* Also on the scale, so xarray users see it beside the years. */
    int partial[IPSIM_MAX_HORIZON / 12 + 2];
    for (size_t y = 0; y < r->n_years; y++)
        partial[y] = ipsim_scenario_year_partial(r->scn, (int)y);
    return attr_write(s[S_YEAR], "partial", H5T_NATIVE_INT, r->n_years, 0, partial);
}

herr_t rs_attach(hid_t ds, const hid_t *scales, int rank)
{
    for (int i = 0; i < rank; i++)
        if (H5DSattach_scale(ds, scales[i], (unsigned)i) < 0)
            return -1;
    return 0;
}

/* ---- per-path datasets ---- */

/* Whole inner axes and block_paths paths per chunk, shrunk to stay under
 * CHUNK_BYTES_MAX.  A path chunk that divides block_paths keeps each block
 * write to whole chunks, so no chunk is read back and recompressed. */
static void chunk_dims(hsize_t *chunk, const hsize_t *dims, int rank, size_t block_paths)
{
    hsize_t row = sizeof(double);
    for (int i = 1; i < rank; i++)
        row *= dims[i];
    hsize_t cp = block_paths < dims[0] ? block_paths : dims[0];
    if (cp * row > CHUNK_BYTES_MAX) {
        hsize_t fit = CHUNK_BYTES_MAX / row ? CHUNK_BYTES_MAX / row : 1;
        cp = fit;
        for (hsize_t d = fit; d > fit / 2; d--)
            if (block_paths % d == 0) {
                cp = d;
                break;
            }
    }
    chunk[0] = cp ? cp : 1;
    for (int i = 1; i < rank; i++)
        chunk[i] = dims[i] ? dims[i] : 1;
    /* One path's row alone too big (thousands of zones): cut the inner axes. */
    for (int i = rank - 1; i >= 1; i--) {
        hsize_t rest = sizeof(double);
        for (int j = 0; j < rank; j++)
            rest *= j == i ? 1 : chunk[j];
        if (rest * chunk[i] <= CHUNK_BYTES_MAX)
            break;
        chunk[i] = CHUNK_BYTES_MAX / rest ? CHUNK_BYTES_MAX / rest : 1;
    }
}

/* A float64 dataset [path, inner...], chunked as chunk_dims() says: with
 * shuffle and deflate, NaN until written; or unfiltered, its chunks given
 * their places in the file now, one after another (HDF5's implicit chunk
 * index), and not filled: every chunk of a finished run is written whole,
 * and the places are what direct I/O needs (direct_base). */
static hid_t perpath_create(hid_t loc, const char *name, const hsize_t *dims, int rank,
                            const hsize_t *chunk, int compress)
{
    double fill = NAN;
    hid_t dcpl = H5Pcreate(H5P_DATASET_CREATE), sp = H5Screate_simple(rank, dims, NULL);
    hid_t ds = -1;
    if (dcpl >= 0 && sp >= 0 && H5Pset_chunk(dcpl, rank, chunk) >= 0 &&
        H5Pset_fill_value(dcpl, H5T_NATIVE_DOUBLE, &fill) >= 0 &&
        (compress ? H5Pset_shuffle(dcpl) >= 0 && H5Pset_deflate(dcpl, DEFLATE_LEVEL) >= 0
                  : H5Pset_alloc_time(dcpl, H5D_ALLOC_TIME_EARLY) >= 0 &&
                        H5Pset_fill_time(dcpl, H5D_FILL_TIME_NEVER) >= 0))
        ds = H5Dcreate2(loc, name, H5T_IEEE_F64LE, sp, H5P_DEFAULT, dcpl, H5P_DEFAULT);
    if (sp >= 0)
        H5Sclose(sp);
    if (dcpl >= 0)
        H5Pclose(dcpl);
    return ds;
}

static int group_monthly(int g)
{
    return g == G_MONTHLY || g == G_MONTHLY_ZONE;
}

static int group_rank(int g)
{
    return g == G_YEARLY_ZONE || g == G_MONTHLY_ZONE ? 3 : 2;
}

static int group_metrics(int g)
{
    return group_monthly(g) ? IPSIM_NMONTHLY : IPSIM_NMETRICS;
}

static void group_dims(const ipsim_results *r, int g, hsize_t dims[3])
{
    dims[0] = r->n_paths;
    dims[1] = group_monthly(g) ? r->n_months : r->n_years;
    dims[2] = r->n_zones;
}

/* Bytes of one row [inner...] of group g. */
static hsize_t row_bytes(const ipsim_results *r, int g)
{
    hsize_t dims[3];
    group_dims(r, g, dims);
    return dims[1] * (group_rank(g) == 3 ? dims[2] : 1) * sizeof(double);
}

/* The deflate level a run stores at: `deflate` clamped to 0-9, or for -1
 * the store's default (monthly data, ten times larger, deflated). */
static int store_deflate(enum ipsim_store store, int deflate)
{
    return deflate < 0   ? (store == IPSIM_STORE_MONTHLY ? DEFLATE_LEVEL : 0)
           : deflate > 9 ? 9
                         : deflate;
}

/* Paths whose row_bytes make whole units of IPSIM_BLOCK_ALIGN (a power of two). */
static size_t page_paths(size_t row)
{
    size_t q = IPSIM_BLOCK_ALIGN;
    while (q > 1 && row % 2 == 0)
        row /= 2, q /= 2;
    return q;
}

size_t ipsim_results_path_quantum(size_t n_years, size_t n_months, size_t n_zones,
                                  enum ipsim_store store, int deflate)
{
    if (store == IPSIM_STORE_SUMMARY || store_deflate(store, deflate) > 0)
        return 1;
    size_t q = page_paths(n_years * n_zones * sizeof(double));
    size_t qm = store == IPSIM_STORE_MONTHLY ? page_paths(n_months * n_zones * sizeof(double)) : 1;
    return q > qm ? q : qm; /* powers of two: the larger is their multiple */
}

/* The file address of ds's first chunk, where every chunk of cp paths
 * (chunk_bytes each) can be written with direct I/O: whole pages, the
 * first on a page boundary, the others after it in path order.  Else
 * HADDR_UNDEF. */
static haddr_t direct_base(const ipsim_results *r, hid_t ds, hsize_t cp, hsize_t chunk_bytes)
{
    if (cp == 0 || chunk_bytes % IPSIM_BLOCK_ALIGN)
        return HADDR_UNDEF;
    hsize_t off[3] = {0, 0, 0}, size0 = 0, size1 = 0, last = (r->n_paths - 1) / cp;
    haddr_t a0 = HADDR_UNDEF, a1 = HADDR_UNDEF;
    unsigned mask;
    if (H5Dget_chunk_info_by_coord(ds, off, &mask, &a0, &size0) < 0)
        a0 = HADDR_UNDEF;
    off[0] = last * cp;
    if (a0 != HADDR_UNDEF && H5Dget_chunk_info_by_coord(ds, off, &mask, &a1, &size1) < 0)
        a1 = HADDR_UNDEF;
    H5Eclear2(H5E_DEFAULT);
    int ok = a0 != HADDR_UNDEF && a0 % IPSIM_BLOCK_ALIGN == 0 && size0 == chunk_bytes &&
             size1 == chunk_bytes && a1 == a0 + last * chunk_bytes;
    return ok ? a0 : HADDR_UNDEF;
}

/* Group g with one dataset per metric, with scales. */
static herr_t metric_group(ipsim_results *r, int g)
{
    int rank = group_rank(g);
    hsize_t dims[3], chunk[3];
    group_dims(r, g, dims);
    chunk_dims(chunk, dims, rank, r->block_paths);
    int whole = chunk[1] == dims[1] && (rank < 3 || chunk[2] == dims[2]);
    r->direct_paths[g] = whole ? chunk[0] : 0;
    hid_t scales[3] = {r->scale[S_PATH], r->scale[group_monthly(g) ? S_MONTH : S_YEAR],
                       r->scale[S_ZONE]};
    hid_t grp = H5Gcreate2(r->file, group_names[g], H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT);
    herr_t st = grp < 0 ? -1 : 0;
    for (int m = 0; m < group_metrics(g) && st >= 0; m++) {
        hid_t ds = perpath_create(grp, ipsim_metric_get(m)->name, dims, rank, chunk,
                                  r->deflate > 0);
        r->group[g][m] = ds;
        /* Not yearly/: the finish reads it back, from the page cache
         * (drop_cache keeps it there). */
        if (ds >= 0 && r->deflate == 0 && g != G_YEARLY)
            r->dio_base[g][m] = direct_base(r, ds, r->direct_paths[g],
                                            r->direct_paths[g] * row_bytes(r, g));
        st = ds < 0 ? -1 : rs_attr_metric(ds, m, "");
        if (st >= 0)
            st = rs_attach(ds, scales, rank);
    }
    if (grp >= 0)
        H5Gclose(grp);
    return st;
}

/* The per-path groups of the store mode, the last one's index (-1: none,
 * in summary mode, whose yearly data go to the scratch file). */
static int last_group(const ipsim_results *r)
{
    return r->store == IPSIM_STORE_MONTHLY   ? G_MONTHLY_ZONE
           : r->store == IPSIM_STORE_SUMMARY ? -1
                                             : G_YEARLY_ZONE;
}

static herr_t create_groups(ipsim_results *r)
{
    herr_t st = 0;
    for (int g = G_YEARLY; g <= last_group(r) && st >= 0; g++)
        st = metric_group(r, g);
    return st;
}

/* target_values [path, target], in every store mode: paired comparisons of
 * two runs need the per-path values even when nothing else is kept. */
static herr_t create_target_values(ipsim_results *r)
{
    if (!r->n_targets)
        return 0;
    hsize_t dims[2] = {r->n_paths, r->n_targets};
    hid_t pt[2] = {r->scale[S_PATH], r->scale[S_TARGET]};
    hsize_t chunk[2];
    chunk_dims(chunk, dims, 2, r->block_paths);
    r->target_values = perpath_create(r->file, "target_values", dims, 2, chunk, 1);
    if (r->target_values < 0 || rs_attach(r->target_values, pt, 2) < 0 ||
        rs_attr_str(r->target_values, "long_name", "value of each target's metric, per path") < 0)
        return -1;
    return 0;
}

/* ---- open / close ---- */

/* Strong close: closing the file closes whatever is still open in it, so
 * an abort after a partial failure cannot leak handles.  Locking is kept but
 * not required, as on file systems (NFS) that lack it.  The latest format
 * is what SWMR writing needs (see "checkpoints and resume").  Whatever
 * takes a page or more starts on a page boundary, the per-path datasets
 * among them, for direct I/O: a few kB lost in all. */
static hid_t file_access(void)
{
    hid_t fapl = H5Pcreate(H5P_FILE_ACCESS);
    if (fapl >= 0 && (H5Pset_fclose_degree(fapl, H5F_CLOSE_STRONG) < 0 ||
                      H5Pset_file_locking(fapl, 1, 1) < 0 ||
                      H5Pset_libver_bounds(fapl, H5F_LIBVER_LATEST, H5F_LIBVER_LATEST) < 0 ||
                      H5Pset_alignment(fapl, IPSIM_BLOCK_ALIGN, IPSIM_BLOCK_ALIGN) < 0)) {
        H5Pclose(fapl);
        return -1;
    }
    return fapl;
}

/* Opens an existing file with flags (H5F_ACC_*); clear: also when its
 * superblock still says a writer that died has it open (as h5clear -s). */
hid_t rs_file_open(const char *name, unsigned flags, int clear)
{
    hbool_t yes = 1;
    hid_t fapl = file_access(), f = -1;
    if (fapl >= 0 && (!clear || H5Pset(fapl, "clear_status_flags", &yes) >= 0))
        f = H5Fopen(name, flags, fapl);
    hid_t stack = rs_errors_save(f < 0 ? -1 : 0);
    if (fapl >= 0)
        H5Pclose(fapl);
    rs_errors_restore(stack);
    return f;
}

static hid_t file_create(const char *name)
{
    hid_t fapl = file_access(), f = -1;
    if (fapl >= 0)
        f = H5Fcreate(name, H5F_ACC_TRUNC, H5P_DEFAULT, fapl);
    /* ext4 (auto_da_alloc) writes back a file truncated on open when a
     * descriptor of it is next closed: the O_TRUNC of H5Fcreate would make
     * the close before the summaries write the whole file back, in the
     * finish step (87 ms of 0.10 s for 234 MB).  Closing one now, while the
     * file is empty, spends that flush on nothing. */
    int fd = f >= 0 ? open(name, O_RDONLY) : -1;
    if (fd >= 0)
        close(fd);
    hid_t stack = rs_errors_save(f < 0 ? -1 : 0);
    if (fapl >= 0)
        H5Pclose(fapl);
    rs_errors_restore(stack);
    return f;
}

void rs_close_ids(hid_t *ids, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        if (ids[i] >= 0)
            H5Dclose(ids[i]);
        ids[i] = -1;
    }
}

/* Closes every handle; returns <0 if a file failed to flush. */
herr_t rs_close_all(ipsim_results *r)
{
    for (int g = 0; g < N_GROUPS; g++)
        rs_close_ids(r->group[g], IPSIM_NMETRICS);
    rs_close_ids(&r->target_values, 1);
    rs_close_ids(&r->blocks_done, 1);
    rs_close_ids(r->scale, N_SCALES);
    if (r->dio_fd >= 0)
        close(r->dio_fd);
    r->dio_fd = -1;
    herr_t st = 0;
    if (ipsim_scratch_close(&r->scratch) < 0)
        st = -1;
    if (r->file >= 0 && H5Fclose(r->file) < 0)
        st = -1;
    r->file = -1;
    return st;
}

void rs_results_free(ipsim_results *r)
{
    if (r->lock_fd >= 0)
        close(r->lock_fd);
    free(r->keep);
    free(r->final_name);
    free(r->partial_name);
    free(r->scratch_name);
    free(r);
}

ipsim_results *rs_results_new(const char *filename, const ipsim_scenario *scn, size_t n_paths,
                              size_t block_paths, enum ipsim_store store, int deflate)
{
    ipsim_results *r = calloc(1, sizeof *r);
    if (!r)
        return NULL;
    r->file = r->target_values = r->blocks_done = -1;
    ipsim_scratch_init(&r->scratch);
    r->lock_fd = r->dio_fd = -1;
    r->direct_io = 1;
    r->cache_keep = IPSIM_RESULTS_CACHE_KEEP;
    for (int i = 0; i < N_SCALES; i++)
        r->scale[i] = -1;
    for (int g = 0; g < N_GROUPS; g++)
        for (int m = 0; m < IPSIM_NMETRICS; m++)
            r->group[g][m] = -1, r->dio_base[g][m] = HADDR_UNDEF;
    r->threads = 1;
    r->deflate = store_deflate(store, deflate);
    r->scn = scn;
    r->store = store;
    r->n_paths = n_paths;
    r->block_paths = block_paths;
    r->n_blocks = (n_paths + block_paths - 1) / block_paths;
    r->n_zones = scn->n_zones;
    r->n_targets = scn->n_targets;
    r->n_months = (size_t)scn->horizon_months;
    r->first_year = ipsim_scenario_first_year(scn);
    r->n_years = (size_t)ipsim_scenario_n_years(scn);
    r->final_name = strdup(filename);
    r->partial_name = concat(filename, ".partial");
    r->scratch_name = concat(filename, ".partial.scratch");
    if (!r->final_name || !r->partial_name || !r->scratch_name) {
        rs_results_free(r);
        return NULL;
    }
    return r;
}

/* ---- the run's lock ----
 *
 * Two runs writing the same FILE.partial would destroy each other's work,
 * and HDF5 lifts its own lock while a file is in SWMR mode.  So a run holds
 * an open-file-description lock on FILE.partial from before the file is
 * truncated until it is renamed or deleted: a second run, or a --resume of
 * a run still going, finds it taken.  File systems without such locks are
 * let through, as HDF5 does. */
int rs_lock_file(const char *name, int create, int *fd_out, ipsim_error *err)
{
    int fd = open(name, O_RDWR | O_CLOEXEC | (create ? O_CREAT : 0), 0666);
    *fd_out = -1;
    if (fd < 0 && !create && errno == ENOENT) /* nothing there to protect */
        return IPSIM_OK;
    if (fd < 0)
        return ipsim_error_set(err, IPSIM_EIO, "%s: cannot %s: %s", name,
                               create ? "create the results file" : "open", strerror(errno));
    struct flock fl = {.l_type = F_WRLCK, .l_whence = SEEK_SET};
    if (fcntl(fd, F_OFD_SETLK, &fl) < 0 && (errno == EAGAIN || errno == EACCES)) {
        close(fd);
        return ipsim_error_set(err, IPSIM_EIO,
                               "%s: another ipsim run is writing this file (expected it to be "
                               "free: wait for that run, or choose another -o FILE)",
                               name);
    }
    *fd_out = fd;
    return IPSIM_OK;
}

/* blocks_done [block]: 0 until the block's data are on disk. */
static herr_t create_blocks_done(ipsim_results *r)
{
    hsize_t n = r->n_blocks, chunk = n < PATH_PIECE ? n : PATH_PIECE;
    unsigned char zero = 0;
    hid_t dcpl = H5Pcreate(H5P_DATASET_CREATE), sp = H5Screate_simple(1, &n, NULL);
    if (dcpl >= 0 && sp >= 0 && H5Pset_chunk(dcpl, 1, &chunk) >= 0 &&
        H5Pset_fill_value(dcpl, H5T_NATIVE_UCHAR, &zero) >= 0 &&
        H5Pset_fill_time(dcpl, H5D_FILL_TIME_ALLOC) >= 0)
        r->blocks_done =
            H5Dcreate2(r->file, "blocks_done", H5T_STD_U8LE, sp, H5P_DEFAULT, dcpl, H5P_DEFAULT);
    if (sp >= 0)
        H5Sclose(sp);
    if (dcpl >= 0)
        H5Pclose(dcpl);
    if (r->blocks_done < 0 ||
        rs_attr_str(r->blocks_done, "long_name", "1 once the block of paths is stored (resume)") < 0)
        return -1;
    return 0;
}

/* Creates (and locks) FILE.partial and the scratch file under r's names,
 * writes the whole layout and switches both files to SWMR writing. */
int rs_results_layout(ipsim_results *r, uint64_t seed, ipsim_error *err)
{
    H5Eset_auto2(H5E_DEFAULT, NULL, NULL); /* the library never prints */
    int rc = rs_lock_file(r->partial_name, 1, &r->lock_fd, err);
    if (rc != IPSIM_OK)
        return rc;
    r->own_partial = 1;
    r->file = file_create(r->partial_name);
    if (r->file < 0)
        return rs_h5_error(err, r->partial_name, "create the results file");
    ipsim_results_set_direct_io(r, r->direct_io);
    if (r->store == IPSIM_STORE_SUMMARY) {
        rc = ipsim_scratch_create(&r->scratch, r->scratch_name, r->n_paths, r->n_years,
                                  IPSIM_NMETRICS, err);
        if (rc != IPSIM_OK)
            return rc;
        r->own_scratch = 1;
    }
    if (write_root_attrs(r, seed) < 0 || write_scenario_text(r) < 0 || write_scales(r) < 0 ||
        create_groups(r) < 0 || create_target_values(r) < 0 || create_blocks_done(r) < 0)
        return rs_h5_error(err, r->partial_name, "write the results layout");
    if (H5Fstart_swmr_write(r->file) < 0)
        return rs_h5_error(err, r->partial_name, "start writing blocks (SWMR)");
    return IPSIM_OK;
}

/* r's FILE.partial.new (and scratch) take the places of the old files. */
int rs_promote(ipsim_results *r, const char *partial, const char *scratch, ipsim_error *err)
{
    if (r->scratch.fd >= 0 && rename(r->scratch_name, scratch) < 0)
        return ipsim_error_set(err, IPSIM_EIO, "cannot rename %s to %s: %s", r->scratch_name,
                               scratch, strerror(errno));
    if (rename(r->partial_name, partial) < 0)
        return ipsim_error_set(err, IPSIM_EIO, "cannot rename %s to %s: %s", r->partial_name,
                               partial, strerror(errno));
    char *p = strdup(partial), *s = strdup(scratch);
    if (!p || !s) {
        free(p);
        free(s);
        return ipsim_error_set(err, IPSIM_ENOMEM, "out of memory");
    }
    free(r->partial_name);
    free(r->scratch_name);
    r->partial_name = p;
    r->scratch_name = s;
    return IPSIM_OK;
}

/* Puts ".new" after r's file names. */
int rs_rename_new(ipsim_results *r)
{
    char *p = concat(r->partial_name, ".new"), *s = concat(r->scratch_name, ".new");
    if (!p || !s) {
        free(p);
        free(s);
        return -1;
    }
    free(r->partial_name);
    free(r->scratch_name);
    r->partial_name = p;
    r->scratch_name = s;
    return 0;
}

int ipsim_results_create(ipsim_results **out, const char *filename, const ipsim_scenario *scn,
                         uint64_t seed, size_t n_paths, size_t block_paths, enum ipsim_store store,
                         int deflate, ipsim_error *err)
{
    *out = NULL;
    if (n_paths == 0 || block_paths == 0)
        return ipsim_error_set(err, IPSIM_EINPUT, "the number of paths must be at least 1");
    if (store < IPSIM_STORE_SUMMARY || store > IPSIM_STORE_MONTHLY || scn->horizon_months < 1 ||
        scn->horizon_months > IPSIM_MAX_HORIZON)
        return ipsim_error_set(err, IPSIM_EFAIL, "results: invalid store mode or horizon");
    int rc = ipsim_outpath_check(filename, err);
    if (rc != IPSIM_OK)
        return rc;
    /* The layout is written as FILE.partial.new and renamed once complete
     * and in SWMR mode, so that a FILE.partial is always resumable; until
     * then an existing one (perhaps of a run still going) is locked. */
    ipsim_results *r = rs_results_new(filename, scn, n_paths, block_paths, store, deflate);
    char *partial = r ? strdup(r->partial_name) : NULL;
    char *scratch = r ? strdup(r->scratch_name) : NULL;
    int guard = -1;
    rc = partial && scratch && rs_rename_new(r) == 0
             ? IPSIM_OK
             : ipsim_error_set(err, IPSIM_ENOMEM, "out of memory creating %s", filename);
    if (rc == IPSIM_OK)
        rc = rs_lock_file(partial, 0, &guard, err);
    if (rc == IPSIM_OK)
        rc = rs_results_layout(r, seed, err);
    if (rc == IPSIM_OK)
        rc = rs_promote(r, partial, scratch, err);
    if (guard >= 0)
        close(guard);
    free(partial);
    free(scratch);
    if (rc != IPSIM_OK) {
        ipsim_results_abort(r);
        return rc;
    }
    *out = r;
    return IPSIM_OK;
}

/* ---- blocks ---- */

/* Rows [0, n) of a block array [cap, inner...] to (write) or from ds at
 * rows [path0, ..). */
static herr_t slab_io(hid_t ds, double *base, size_t cap, size_t n, size_t path0,
                      const hsize_t *inner, int rank, int write)
{
    hsize_t mdims[3] = {cap}, start[3] = {0}, count[3] = {n};
    for (int i = 1; i < rank; i++)
        mdims[i] = count[i] = inner[i - 1];
    hid_t mem = H5Screate_simple(rank, mdims, NULL), fsp = H5Dget_space(ds);
    herr_t st = mem < 0 || fsp < 0
                    ? -1
                    : H5Sselect_hyperslab(mem, H5S_SELECT_SET, start, NULL, count, NULL);
    start[0] = path0;
    if (st >= 0)
        st = H5Sselect_hyperslab(fsp, H5S_SELECT_SET, start, NULL, count, NULL);
    if (st >= 0)
        st = write ? H5Dwrite(ds, H5T_NATIVE_DOUBLE, mem, fsp, H5P_DEFAULT, base)
                   : H5Dread(ds, H5T_NATIVE_DOUBLE, mem, fsp, H5P_DEFAULT, base);
    hid_t stack = rs_errors_save(st);
    if (mem >= 0)
        H5Sclose(mem);
    if (fsp >= 0)
        H5Sclose(fsp);
    rs_errors_restore(stack);
    return st;
}

static herr_t write_slab(hid_t ds, const double *base, size_t cap, size_t n, size_t path0,
                         const hsize_t *inner, int rank)
{
    return slab_io(ds, (double *)base, cap, n, path0, inner, rank, 1);
}

/* The block holds targets target-major; the file is path-major, so the
 * block's n x n_targets values are transposed through a buffer first. */
static herr_t write_targets(const ipsim_results *r, const ipsim_block *b)
{
    size_t nt = r->n_targets;
    double *buf = malloc(b->n * nt * sizeof *buf);
    if (!buf)
        return -1;
    for (size_t s = 0; s < b->n; s++)
        for (size_t t = 0; t < nt; t++)
            buf[s * nt + t] = b->target_values[t * b->cap + s];
    hsize_t inner[1] = {nt};
    herr_t st = write_slab(r->target_values, buf, b->n, b->n, b->path0, inner, 2);
    free(buf);
    return st;
}

/* ---- direct chunk writes ----
 *
 * Deflate is most of the cost of a run that stores monthly data, and HDF5
 * runs its filters in the one thread that calls it.  So where a block
 * covers whole chunks, the chunks are shuffled and deflated here, in
 * parallel, exactly as HDF5's shuffle and deflate filters would, and handed
 * to H5Dwrite_chunk; everything else goes through H5Dwrite.
 *
 * At deflate level 0 the datasets have no filters, and their chunks are
 * the block's rows as they are.  Those whose places in the file allow it
 * (direct_base) go to the disk straight from the block, through a second
 * descriptor opened with O_DIRECT: copied into the page cache instead, they
 * cost the writer thread a tenth of a core at two threads, which the
 * threads that compute pay (docs/performance.md, fourteenth pass).  HDF5
 * never reads or writes those chunks itself while the run writes them, and
 * they span whole pages of their own, so the two descriptors never share a
 * page.  Where the file system refuses direct I/O, the chunks go through
 * H5Dwrite_chunk like any other. */

typedef struct {
    hid_t ds;
    const double *src;  /* the chunk's first row in the block */
    size_t rows;        /* rows the buffer holds; the rest of the chunk is fill */
    size_t elems;       /* doubles in the whole chunk */
    size_t row_len;     /* doubles per row */
    hsize_t offset[3];  /* the chunk's first element in the dataset */
    const unsigned char *out; /* the chunk to write, out_len bytes */
    size_t out_len;
    unsigned char *owned;     /* out when allocated here, else NULL */
    haddr_t addr;             /* the chunk's place for direct I/O, or HADDR_UNDEF */
    int failed;
} chunk_job;

/* HDF5's shuffle filter for 8-byte elements: byte j of element i goes to
 * j*n + i.  Elements past `valid` are the NaN fill value. */
static void shuffle8(const double *src, size_t valid, size_t n, unsigned char *dst)
{
    const double fill = NAN;
    for (size_t i = 0; i < n; i++) {
        const unsigned char *e = (const unsigned char *)(i < valid ? &src[i] : &fill);
        for (size_t j = 0; j < sizeof(double); j++)
            dst[j * n + i] = e[j];
    }
}

/* A chunk stored as it is: the buffer's rows themselves when they fill it,
 * else a copy completed with the NaN fill value. */
static int chunk_store(chunk_job *job)
{
    size_t valid = job->rows * job->row_len;
    job->out_len = job->elems * sizeof(double);
    if (valid == job->elems) {
        job->out = (const unsigned char *)job->src;
        return 0;
    }
    /* aligned as the block's arrays are, for direct I/O */
    size_t whole = (job->out_len + IPSIM_BLOCK_ALIGN - 1) / IPSIM_BLOCK_ALIGN * IPSIM_BLOCK_ALIGN;
    double *copy = aligned_alloc(IPSIM_BLOCK_ALIGN, whole);
    if (!copy)
        return -1;
    memcpy(copy, job->src, valid * sizeof *copy);
    for (size_t i = valid; i < job->elems; i++)
        copy[i] = NAN;
    job->out = job->owned = (unsigned char *)copy;
    return 0;
}

/* Shuffles and deflates one chunk at level `level` (0: stores it); 0 on
 * success. */
static int chunk_compress(chunk_job *job, int level)
{
    if (level == 0)
        return chunk_store(job);
    size_t bytes = job->elems * sizeof(double);
    unsigned char *shuf = malloc(bytes);
    uLongf len = compressBound((uLong)bytes);
    job->owned = shuf ? malloc(len) : NULL;
    int rc = -1;
    if (job->owned) {
        shuffle8(job->src, job->rows * job->row_len, job->elems, shuf);
        rc = compress2(job->owned, &len, shuf, (uLong)bytes, level) == Z_OK ? 0 : -1;
        job->out = job->owned;
        job->out_len = len;
    }
    free(shuf);
    return rc;
}

/* 1 if the block's rows of group g are whole chunks (the last chunk of the
 * dataset may be cut short by the end of the paths). */
static int block_aligned(const ipsim_results *r, int g, const ipsim_block *b)
{
    hsize_t cp = r->direct_paths[g];
    return cp && b->path0 % cp == 0 && (b->n % cp == 0 || b->path0 + b->n == r->n_paths);
}

static double *block_base(const ipsim_block *b, int g, int m)
{
    switch (g) {
    case G_YEARLY:
        return ipsim_block_yearly(b, m, 0);
    case G_YEARLY_ZONE:
        return ipsim_block_yearly_zone(b, m, 0);
    case G_MONTHLY:
        return ipsim_block_monthly(b, m, 0);
    default:
        return ipsim_block_monthly_zone(b, m, 0);
    }
}

/* Adds the jobs for metric m of group g to jobs[*n]. */
static void add_jobs(const ipsim_results *r, const ipsim_block *b, int g, int m, chunk_job *jobs,
                     size_t *n)
{
    hsize_t cp = r->direct_paths[g], base = r->dio_base[g][m];
    size_t row_len = row_bytes(r, g) / sizeof(double);
    for (size_t s0 = 0; s0 < b->n; s0 += cp) {
        chunk_job *j = &jobs[(*n)++];
        double *src = block_base(b, g, m) + s0 * row_len;
        memset(j, 0, sizeof *j);
        j->ds = r->group[g][m];
        j->addr = base == HADDR_UNDEF ? HADDR_UNDEF
                                      : base + (b->path0 + s0) / cp * cp * row_len * sizeof(double);
        j->src = src;
        j->rows = b->n - s0 < cp ? b->n - s0 : cp;
        j->elems = cp * row_len;
        j->row_len = row_len;
        j->offset[0] = b->path0 + s0;
        /* The last chunk of a run, cut short: where the buffer's free slots
         * cover the rest, they take the fill value, and the chunk is whole
         * in the buffer (a copy in fresh pages cost the tail of a run of
         * 2000 paths 4 ms: docs/performance.md, eleventh pass). */
        if (j->rows < cp && s0 + cp <= b->cap) {
            for (size_t i = j->rows * row_len; i < j->elems; i++)
                src[i] = NAN;
            j->rows = cp;
        }
    }
}

/* Writes job j with direct I/O where it can have it: 1 if written, 0 if
 * not (HDF5 then writes it), -1 on failure with errno. */
static int write_direct(ipsim_results *r, const chunk_job *j)
{
    if (r->dio_fd < 0 || j->addr == HADDR_UNDEF ||
        (uintptr_t)j->out % IPSIM_BLOCK_ALIGN || j->out_len % IPSIM_BLOCK_ALIGN)
        return 0;
    if (ipsim_pio_all(r->dio_fd, (void *)j->out, j->out_len, (off_t)j->addr, 1) < 0) {
        if (errno != EINVAL)
            return -1;
        /* refused by the file system: HDF5 writes this chunk whole, and the rest */
        ipsim_results_set_direct_io(r, 0);
        return 0;
    }
    r->direct_bytes += j->out_len;
    return 1;
}

/* Compresses jobs in parallel, then writes them in order. */
static int run_jobs(ipsim_results *r, chunk_job *jobs, size_t n, ipsim_error *err)
{
#pragma omp parallel for schedule(dynamic, 1) num_threads(r->threads) if (r->threads > 1 && r->deflate > 0)
    for (long i = 0; i < (long)n; i++)
        jobs[i].failed = chunk_compress(&jobs[i], r->deflate) != 0;
    int rc = IPSIM_OK;
    for (size_t i = 0; i < n && rc == IPSIM_OK; i++) {
        const chunk_job *j = &jobs[i];
        int direct = j->failed ? 0 : write_direct(r, j);
        if (j->failed)
            rc = ipsim_error_set(err, IPSIM_ENOMEM, "out of memory writing a block");
        else if (direct < 0)
            rc = ipsim_error_set(err, IPSIM_EIO, "%s: cannot write results: %s",
                                 r->partial_name, strerror(errno));
        else if (!direct &&
                 H5Dwrite_chunk(j->ds, H5P_DEFAULT, 0, j->offset, j->out_len, j->out) < 0)
            rc = rs_h5_error(err, r->partial_name, "write results");
    }
    for (size_t i = 0; i < n; i++)
        free(jobs[i].owned);
    return rc;
}

/* Group g of the block: whole chunks as jobs, anything else written now. */
static herr_t write_group(const ipsim_results *r, const ipsim_block *b, int g, chunk_job *jobs,
                          size_t *n_jobs)
{
    hsize_t dims[3];
    group_dims(r, g, dims);
    int aligned = block_aligned(r, g, b);
    herr_t st = 0;
    for (int m = 0; m < group_metrics(g) && st >= 0; m++) {
        if (aligned)
            add_jobs(r, b, g, m, jobs, n_jobs);
        else
            st = write_slab(r->group[g][m], block_base(b, g, m), b->cap, b->n, b->path0, dims + 1,
                            group_rank(g));
    }
    return st;
}

static int block_fits(const ipsim_results *r, const ipsim_block *b)
{
    return b->n <= b->cap && b->path0 <= r->n_paths && b->n <= r->n_paths - b->path0 &&
           b->n_years == r->n_years && b->n_zones == r->n_zones && b->n_targets == r->n_targets &&
           (r->store != IPSIM_STORE_MONTHLY || (b->monthly && b->n_months == r->n_months));
}

/* Upper bound on the chunk jobs of one block. */
static size_t max_jobs(const ipsim_results *r, const ipsim_block *b)
{
    size_t n = 0;
    for (int g = 0; g < N_GROUPS; g++)
        if (r->direct_paths[g])
            n += (size_t)group_metrics(g) * (b->n / r->direct_paths[g] + 1);
    return n;
}

/* ---- the page-cache window ----
 *
 * A long run would fill memory with its file (sixth pass of
 * docs/performance.md), so what lies more than r->cache_keep behind the
 * previous checkpoint's end is dropped from the page cache: its writeback
 * started a checkpoint ago, and the kernel keeps any page still dirty or
 * being written.  All but the chunks the finish reads back, 2-3 % of the
 * file: dropped, they were as many disk reads one after another at the end
 * of the run (0.13 of the finish's 0.19 s at 20000 paths).  Advisory, like
 * sync_file_range: an error changes nothing but the cache. */

/* Adds [lo, hi) to the keep list, which stays sorted and disjoint:
 * merged with the ranges it touches (a block's chunks of one group are
 * allocated one after another, so most extend the last).  Out of memory,
 * the window stops dropping (r->cache_keep = 0). */
static void keep_range(ipsim_results *r, size_t lo, size_t hi)
{
    size_t i = r->n_keep;
    while (i > 0 && r->keep[i - 1].lo > lo) /* HDF5 may reuse freed space */
        i--;
    if (i > 0 && r->keep[i - 1].hi >= lo) {
        i--;
    } else {
        if (r->n_keep == r->cap_keep) {
            size_t cap = r->cap_keep ? 2 * r->cap_keep : 256;
            struct rs_range *k = realloc(r->keep, cap * sizeof *k);
            if (!k) {
                r->cache_keep = 0;
                return;
            }
            r->keep = k;
            r->cap_keep = cap;
        }
        memmove(&r->keep[i + 1], &r->keep[i], (r->n_keep - i) * sizeof *r->keep);
        r->keep[i] = (struct rs_range){lo, hi};
        r->n_keep++;
    }
    struct rs_range *k = &r->keep[i];
    size_t j = i + 1; /* k absorbs the ranges it reaches */
    for (; j < r->n_keep && r->keep[j].lo <= hi; j++)
        if (hi < r->keep[j].hi)
            hi = r->keep[j].hi;
    if (k->hi < hi)
        k->hi = hi;
    memmove(&r->keep[i + 1], &r->keep[j], (r->n_keep - j) * sizeof *r->keep);
    r->n_keep -= j - (i + 1);
}

/* The file ranges of ds's chunks that hold paths [path0, path0 + n): they
 * span every axis but the paths (chunk_dims cuts the others only for rows
 * over CHUNK_BYTES_MAX, and these rows are at most 101 years or 1000
 * targets). */
static void keep_chunks(ipsim_results *r, hid_t ds, hsize_t inner, size_t path0, size_t n)
{
    hsize_t dims[2] = {r->n_paths, inner}, chunk[2], off[2] = {0, 0};
    chunk_dims(chunk, dims, 2, r->block_paths);
    for (off[0] = path0 / chunk[0] * chunk[0]; ds >= 0 && off[0] < path0 + n; off[0] += chunk[0]) {
        unsigned mask;
        haddr_t addr;
        hsize_t size;
        if (H5Dget_chunk_info_by_coord(ds, off, &mask, &addr, &size) >= 0 && addr != HADDR_UNDEF)
            keep_range(r, (size_t)addr, (size_t)(addr + size));
    }
    H5Eclear2(H5E_DEFAULT);
}

/* At the checkpoint of block b, its data flushed (so that every chunk has
 * its place in the file): the chunks to keep of b and of the blocks since
 * the last checkpoint (blocks come in path order but after a resume), then
 * the drop. */
static void drop_cache(ipsim_results *r, const ipsim_block *b)
{
    struct stat st;
    if (r->lock_fd < 0 || r->cache_keep == 0 || fstat(r->lock_fd, &st) < 0)
        return;
    size_t from = b->path0 < r->keep_paths ? b->path0 : r->keep_paths, to = b->path0 + b->n;
    for (int m = 0; m < IPSIM_NMETRICS && r->store != IPSIM_STORE_SUMMARY; m++)
        keep_chunks(r, r->group[G_YEARLY][m], r->n_years, from, to - from);
    keep_chunks(r, r->target_values, r->n_targets, from, to - from);
    if (to > r->keep_paths)
        r->keep_paths = to;
    if (r->synced_to > r->cache_keep) {
        size_t end = r->synced_to - r->cache_keep, at = r->dropped_to, i = 0, j = r->n_keep;
        /* the first range that ends past `at` (disjoint and sorted, so
         * their ends are sorted too) */
        while (i < j) {
            size_t h = i + (j - i) / 2;
            if (r->keep[h].hi <= at)
                i = h + 1;
            else
                j = h;
        }
        for (; i < r->n_keep && r->keep[i].lo < end; i++) {
            if (r->keep[i].lo > at)
                (void)posix_fadvise(r->lock_fd, (off_t)at, (off_t)(r->keep[i].lo - at),
                                    POSIX_FADV_DONTNEED);
            at = r->keep[i].hi;
        }
        if (at < end)
            (void)posix_fadvise(r->lock_fd, (off_t)at, (off_t)(end - at), POSIX_FADV_DONTNEED);
        r->dropped_to = at > end ? at : end;
    }
    r->synced_to = (size_t)st.st_size;
}

/* Marks the blocks that b covers whole as done, after their data: the
 * first flush puts the data on disk, the second the marks, so a mark
 * never reaches the file before what it vouches for.  SWMR orders the
 * metadata writes of each flush, so a run killed at any moment leaves a
 * file whose marked blocks read back intact. */
static herr_t checkpoint(ipsim_results *r, const ipsim_block *b)
{
    size_t B = r->block_paths, k0 = (b->path0 + B - 1) / B, k1 = k0;
    while (k1 < r->n_blocks && k1 * B >= b->path0 &&
           (k1 + 1 == r->n_blocks ? r->n_paths : (k1 + 1) * B) <= b->path0 + b->n)
        k1++;
    if (k1 == k0)
        return 0;
    if (H5Fflush(r->file, H5F_SCOPE_LOCAL) < 0) /* (the scratch file has no cache) */
        return -1;
#ifdef SYNC_FILE_RANGE_WRITE
    /* Start writing the flushed pages to disk now, in the background, so
     * that the fsync before the final rename finds little left to do: it
     * would otherwise write the whole file after the run (~0.1 s for the
     * 234 MB of the bench scenario at 2000 paths), time no thread can
     * share.  Advisory: an error only means fsync will do it all. */
    if (r->lock_fd >= 0)
        (void)sync_file_range(r->lock_fd, 0, 0, SYNC_FILE_RANGE_WRITE);
#endif
    drop_cache(r, b);
    hsize_t start = k0, count = k1 - k0;
    unsigned char *ones = malloc(count);
    hid_t mem = H5Screate_simple(1, &count, NULL), fsp = H5Dget_space(r->blocks_done);
    herr_t st = !ones || mem < 0 || fsp < 0 ? -1 : 0;
    if (st >= 0) {
        memset(ones, 1, count);
        st = H5Sselect_hyperslab(fsp, H5S_SELECT_SET, &start, NULL, &count, NULL);
    }
    if (st >= 0)
        st = H5Dwrite(r->blocks_done, H5T_NATIVE_UCHAR, mem, fsp, H5P_DEFAULT, ones);
    if (st >= 0)
        st = H5Fflush(r->file, H5F_SCOPE_LOCAL);
    hid_t stack = rs_errors_save(st);
    if (mem >= 0)
        H5Sclose(mem);
    if (fsp >= 0)
        H5Sclose(fsp);
    rs_errors_restore(stack);
    free(ones);
    return st;
}

void ipsim_results_set_threads(ipsim_results *r, int threads)
{
    r->threads = threads > 0 ? threads : 1;
}

void ipsim_results_set_cache_keep(ipsim_results *r, size_t bytes)
{
    r->cache_keep = bytes;
}

void ipsim_results_set_direct_io(ipsim_results *r, int on)
{
    r->direct_io = on != 0;
    if (!on && r->dio_fd >= 0) {
        close(r->dio_fd);
        r->dio_fd = -1;
    }
#ifdef O_DIRECT
    /* (before the layout, rs_results_layout opens it) where chunks may be
     * written directly */
    if (on && r->dio_fd < 0 && r->file >= 0 && r->deflate == 0 &&
        r->store != IPSIM_STORE_SUMMARY)
        r->dio_fd = open(r->partial_name, O_WRONLY | O_DIRECT | O_CLOEXEC);
#endif
}

int ipsim_results_direct_io(const ipsim_results *r)
{
    for (int g = 0; g < N_GROUPS && r->dio_fd >= 0; g++)
        for (int m = 0; m < IPSIM_NMETRICS; m++)
            if (r->dio_base[g][m] != HADDR_UNDEF)
                return 1;
    return 0;
}

uint64_t ipsim_results_direct_bytes(const ipsim_results *r)
{
    return r->direct_bytes;
}

/* Reserves the disk blocks of the per-path data before the first block is
 * written, the file's size unchanged (fallocate KEEP_SIZE).  Otherwise the
 * file system allocates them a page at a time as the writes come (ext4's
 * delayed allocation): a quarter of the writer thread's time, which at N
 * threads on N cores the computing threads pay.  Only where the data are
 * stored as they are (deflate 0), whose size is known: the data alone,
 * less than the whole file, so once every block is written nothing is left
 * reserved past its end (release_reserve trims what a stopped run leaves).
 * Advisory: where it fails (no space, a file system without it) the writes
 * allocate as before. */
static void reserve_data(ipsim_results *r)
{
    r->reserved = 1;
#if defined(__linux__) && defined(FALLOC_FL_KEEP_SIZE)
    if (r->lock_fd < 0 || r->deflate > 0 || r->store == IPSIM_STORE_SUMMARY)
        return;
    double per_path = (double)r->n_targets;
    for (int g = 0; g < N_GROUPS; g++) {
        hsize_t dims[3];
        group_dims(r, g, dims);
        if (r->group[g][0] >= 0)
            per_path += group_metrics(g) * (double)dims[1] * (group_rank(g) == 3 ? (double)dims[2] : 1.0);
    }
    double bytes = per_path * sizeof(double) * (double)r->n_paths;
    if (bytes > 0 && bytes < 0x1p62) {
        /* a failure (ENOSPC) may still have reserved part of it */
        (void)fallocate(r->lock_fd, FALLOC_FL_KEEP_SIZE, 0, (off_t)bytes);
        r->reserved = 2;
    }
#endif
}

/* Gives back what reserve_data reserved past the file's end (a run stopped
 * before its last block): truncating to its own size frees it.  Call it
 * once HDF5 has closed the file. */
static void release_reserve(ipsim_results *r)
{
    struct stat st;
    if (r->reserved == 2 && r->lock_fd >= 0 && fstat(r->lock_fd, &st) == 0)
        (void)ftruncate(r->lock_fd, st.st_size);
    r->reserved = 1;
}

int ipsim_results_write_block(ipsim_results *r, const ipsim_block *b, ipsim_error *err)
{
    if (!block_fits(r, b))
        return ipsim_error_set(err, IPSIM_EFAIL,
                               "results: block of paths %zu..+%zu does not match the file",
                               b->path0, b->n);
    if (b->n == 0)
        return IPSIM_OK;
    if (!r->reserved)
        reserve_data(r);
    if (r->store == IPSIM_STORE_SUMMARY) {
        int rc = ipsim_scratch_write(&r->scratch, r->scratch_name, b->yearly, b->cap, b->path0,
                                     b->n, err);
        if (rc != IPSIM_OK)
            return rc;
    }
    chunk_job *jobs = malloc((max_jobs(r, b) + 1) * sizeof *jobs);
    if (!jobs)
        return ipsim_error_set(err, IPSIM_ENOMEM, "out of memory writing a block");
    size_t n_jobs = 0;
    herr_t st = 0;
    for (int g = 0; g < N_GROUPS && st >= 0; g++)
        if (r->group[g][0] >= 0)
            st = write_group(r, b, g, jobs, &n_jobs);
    int rc = st < 0 ? rs_h5_error(err, r->partial_name, "write results")
                    : run_jobs(r, jobs, n_jobs, err);
    free(jobs);
    if (rc != IPSIM_OK)
        return rc;
    if (r->n_targets)
        st = write_targets(r, b);
    if (st >= 0)
        st = checkpoint(r, b);
    if (st < 0)
        return rs_h5_error(err, r->partial_name, "write results");
    r->paths_written += b->n;
    return IPSIM_OK;
}

/* ---- checkpoints and resume ----
 *
 * FILE.partial is written in HDF5's SWMR mode: each flush writes metadata
 * in an order that never leaves a pointer to something not yet written, so
 * a run killed at any moment (kill -9 included) leaves a file that opens,
 * and whose blocks marked in blocks_done read back intact (see checkpoint()).
 * Summaries add objects, which SWMR mode forbids, so finish reopens the
 * file as an ordinary one first.
 *
 * Resuming does not write into the old file: it opens it read-only, checks
 * that it belongs to the same run (every root attribute but created_utc,
 * and the scenario text), and copies its finished blocks into a new file
 * FILE.partial.new, which then replaces FILE.partial.  Whatever state a
 * killed run left, nothing is built on it but data read back whole; and a
 * resume that is itself killed leaves the old FILE.partial as it was. */

static const char *const scale_names[N_SCALES] = {"path",     "year",  "zone",
                                                  "quantile", "month", "target"};

/* The handles create_* would have made, opened by name in r->file. */
herr_t rs_open_handles(ipsim_results *r)
{
    for (int i = 0; i < N_SCALES; i++) {
        if ((i == S_MONTH && r->store != IPSIM_STORE_MONTHLY) || (i == S_TARGET && !r->n_targets))
            continue;
        if ((r->scale[i] = H5Dopen2(r->file, scale_names[i], H5P_DEFAULT)) < 0)
            return -1;
    }
    for (int g = G_YEARLY; g <= last_group(r); g++)
        for (int m = 0; m < group_metrics(g); m++) {
            char name[128];
            snprintf(name, sizeof name, "%s/%s", group_names[g], ipsim_metric_get(m)->name);
            if ((r->group[g][m] = H5Dopen2(r->file, name, H5P_DEFAULT)) < 0)
                return -1;
        }
    if (r->n_targets && (r->target_values = H5Dopen2(r->file, "target_values", H5P_DEFAULT)) < 0)
        return -1;
    r->blocks_done = H5Dopen2(r->file, "blocks_done", H5P_DEFAULT);
    return r->blocks_done < 0 ? -1 : 0;
}

/* Leaves SWMR mode: closes the files and opens FILE.partial again as an
 * ordinary file, writable for the summaries, and the scratch file
 * read-only. */
static int reopen_for_finish(ipsim_results *r, ipsim_error *err)
{
    if (rs_close_all(r) < 0 || (r->file = rs_file_open(r->partial_name, H5F_ACC_RDWR, 0)) < 0 ||
        rs_open_handles(r) < 0)
        return rs_h5_error(err, r->partial_name, "reopen the results file");
    if (r->store == IPSIM_STORE_SUMMARY)
        return ipsim_scratch_open(&r->scratch, r->scratch_name, r->n_paths, r->n_years,
                                  IPSIM_NMETRICS, err);
    return IPSIM_OK;
}

int ipsim_results_suspend(ipsim_results *r, ipsim_error *err)
{
    int rc = IPSIM_OK;
    if (rs_close_all(r) < 0)
        rc = rs_h5_error(err, r->partial_name, "close the results file");
    release_reserve(r);
    rs_results_free(r);
    return rc;
}

/* The inverse of ipsim_results_write_block: paths b->path0 .. +b->n. */
int rs_read_block(const ipsim_results *r, ipsim_block *b, ipsim_error *err)
{
    if (r->store == IPSIM_STORE_SUMMARY) {
        int rc = ipsim_scratch_read(&r->scratch, r->scratch_name, b->yearly, b->cap, b->path0,
                                    b->n, err);
        if (rc != IPSIM_OK)
            return rc;
    }
    herr_t st = 0;
    for (int g = 0; g < N_GROUPS && st >= 0; g++) {
        hsize_t dims[3];
        group_dims(r, g, dims);
        for (int m = 0; m < group_metrics(g) && st >= 0 && r->group[g][0] >= 0; m++)
            st = slab_io(r->group[g][m], block_base(b, g, m), b->cap, b->n, b->path0,
                         dims + 1, group_rank(g), 0);
    }
    size_t nt = r->n_targets;
    if (st >= 0 && nt) {
        double *buf = malloc(b->n * nt * sizeof *buf);
        hsize_t inner[1] = {nt};
        st = buf ? slab_io(r->target_values, buf, b->n, b->n, b->path0, inner, 2, 0) : -1;
        for (size_t s = 0; st >= 0 && s < b->n; s++)
            for (size_t t = 0; t < nt; t++)
                b->target_values[t * b->cap + s] = buf[s * nt + t];
        free(buf);
    }
    return st < 0 ? rs_h5_error(err, r->partial_name, "read back a block") : IPSIM_OK;
}

/* ---- finish / abort ---- */

/* The data must be on disk before the rename makes the file visible. */
static int sync_file(const char *name)
{
    int fd = open(name, O_RDONLY);
    if (fd < 0)
        return -1;
    int rc = fsync(fd);
    if (rc < 0 && errno == EINVAL) /* a file system without fsync */
        rc = 0;
    close(fd);
    return rc;
}

static void remove_files(ipsim_results *r)
{
    if (r->own_partial)
        unlink(r->partial_name);
    if (r->own_scratch)
        unlink(r->scratch_name);
    r->own_partial = r->own_scratch = 0;
}

int ipsim_results_finish(ipsim_results *r, ipsim_target_stats *stats, ipsim_error *err)
{
    readback rb = {0};
    int rc = IPSIM_OK;
    /* One metric's [path, year]; target columns are read in batches as wide. */
    if (r->paths_written < r->n_paths)
        rc = ipsim_error_set(err, IPSIM_EFAIL, "results: only %zu of %zu paths were written",
                             r->paths_written, r->n_paths);
    else
        rc = reopen_for_finish(r, err);
    /* In summary mode a column per thread, each read from the scratch file
     * in one call: memory for N doubles and 2 N a thread whatever the years,
     * so that peak memory hardly grows with N.  Elsewhere a metric's [N,
     * years] at once, summarised a column per thread: its chunks span the
     * years and are read (and inflated) once. */
    int summary = r->store == IPSIM_STORE_SUMMARY;
    size_t width = summary ? 1 : r->n_years;
    int lanes = summary || (size_t)r->threads <= width ? r->threads : (int)width;
    if (rc == IPSIM_OK && rs_readback_alloc(&rb, r->n_paths, width, lanes) < 0)
        rc = ipsim_error_set(err, IPSIM_ENOMEM, "out of memory summarising %zu paths", r->n_paths);
    else if (rc == IPSIM_OK)
        rc = rs_write_summaries(r, &rb, err);
    if (rc == IPSIM_OK && rs_write_target_stats(r, &rb, stats) < 0)
        rc = rs_h5_error(err, r->partial_name, "write summaries");
    /* A finished file needs no checkpoints. */
    if (rc == IPSIM_OK && H5Ldelete(r->file, "blocks_done", H5P_DEFAULT) < 0)
        rc = rs_h5_error(err, r->partial_name, "write summaries");
    rs_readback_free(&rb);
    if (rs_close_all(r) < 0 && rc == IPSIM_OK)
        rc = rs_h5_error(err, r->partial_name, "close the results file");
    release_reserve(r);
    if (rc == IPSIM_OK && sync_file(r->partial_name) < 0)
        rc = ipsim_error_set(err, IPSIM_EIO, "%s: cannot sync: %s", r->partial_name,
                             strerror(errno));
    if (r->own_scratch)
        unlink(r->scratch_name);
    r->own_scratch = 0;
    if (rc == IPSIM_OK && rename(r->partial_name, r->final_name) < 0)
        rc = ipsim_error_set(err, IPSIM_EIO, "cannot rename %s to %s: %s", r->partial_name,
                             r->final_name, strerror(errno));
    if (rc != IPSIM_OK)
        remove_files(r);
    rs_results_free(r);
    return rc;
}

void ipsim_results_abort(ipsim_results *r)
{
    if (!r)
        return;
    rs_close_all(r);
    H5Eclear2(H5E_DEFAULT);
    remove_files(r);
    rs_results_free(r);
}
