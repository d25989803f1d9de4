#!/usr/bin/python3
"""reference_model.py -- an independent implementation of MODEL.md v1.

Written from the text of MODEL.md alone, without reading the engine, so that
reference_compare.py can check the engine against it in distribution: both
draw from their own generators (this one numpy's), and every path's
statistics must agree.  Vectorised across paths; no validation of the
scenario beyond what it needs (the engine's reader does that).

Usage as a module:  res = simulate(load(path), npaths, seed)
Usage as a script:  reference_model.py SCENARIO.yaml -n PATHS -s SEED -o OUT.npz
"""
import math
import sys
import argparse
import numpy as np
import yaml

ZONE_DEFAULTS = dict(
    kind='park', leased_ha=0.0, clean_ha=0.0,
    clearance_ha_per_year=0.0, clearance_cv=0.5,
    attractiveness=1.0, fdi_share=0.5, capital_sigma=1.2,
    intensity_sigma=0.5, months_to_operation=18.0,
    months_to_operation_cv=0.5, abandon_prob=0.0, output_per_capital=1.0,
    ramp_months=12, polluting_share=0.0, wwtp=False, upgrades=[],
    expansions=[], initial={})
REQUIRED = ['area_ha', 'projects_per_year', 'fdi_capital_median_musd',
            'domestic_capital_median_musd', 'capital_per_ha_musd']

FLOWS = ['projects_registered', 'fdi_registered_musd',
         'domestic_registered_musd', 'production_musd', 'lost_projects',
         'lost_capital_musd', 'total_registered_musd']
STOCKS = ['area_ha', 'leased_ha', 'clean_ha', 'occupancy',
          'projects_operating']
METRICS = STOCKS + FLOWS + ['production_growth']


def ym(s):
    s = str(s)
    y, m = s.split('-')
    return int(y) * 12 + int(m) - 1


def load(path):
    with open(path) as f:
        sc = yaml.safe_load(f)
    d = sc.get('defaults') or {}
    zones = []
    for zr in sc['zones']:
        z = dict(ZONE_DEFAULTS)
        z.update(d)
        z.update(zr)
        for k in REQUIRED:
            assert k in z, (zr.get('name'), k)
        zones.append(z)
    sc['_zones'] = zones
    return sc


def simulate(sc, P, seed, return_monthly=True):
    rng = np.random.default_rng(seed)
    T = int(sc['horizon_months'])
    t0 = ym(sc['start'])
    Zs = sc['_zones']
    Z = len(Zs)
    macro = sc.get('macro') or {}
    s = float(macro.get('sigma', 0.0))
    rho = float(macro.get('annual_persistence', 0.5))
    phi = rho ** (1.0 / 12.0)
    r = float(sc.get('redirect_prob', 0.0))
    g = float(sc.get('productivity_growth', 0.0))

    # --- per-zone constants
    def f(z, k):
        return float(z[k])
    A = np.tile(np.array([f(z, 'area_ha') for z in Zs]), (P, 1))
    L = np.tile(np.array([f(z, 'leased_ha') for z in Zs]), (P, 1))
    C = np.tile(np.array([f(z, 'clean_ha') for z in Zs]), (P, 1))
    U = A - L - C
    assert (U >= -1e-9).all()
    U = np.maximum(U, 0.0)

    # attractiveness a(t) and wwtp works(t), per zone and month
    att = np.ones((Z, T))
    works = np.zeros((Z, T), dtype=bool)
    for zi, z in enumerate(Zs):
        att[zi, :] = f(z, 'attractiveness')
        for u in (z.get('upgrades') or []):
            fm = ym(u['from']) - t0
            att[zi, max(fm, 0):] *= float(u['attractiveness'])
        w = z.get('wwtp', False)
        if w is True:
            works[zi, :] = True
        elif w is False or w is None:
            pass
        else:
            fm = ym(w) - t0
            works[zi, max(fm, 0):] = True

    # expansion state
    phases = []
    for z in Zs:
        ex = z.get('expansions') or []
        phases.append((np.array([float(e['ha']) for e in ex] + [0.0]),
                       np.array([float(e['threshold']) for e in ex] + [2.0]),
                       np.array([int(e.get('delay_months', 0)) for e in ex] + [0]),
                       len(ex)))
    nxt = np.zeros((P, Z), dtype=np.int64)
    due = np.full((P, Z), -1, dtype=np.int64)

    # scheduled events: index T is a sink for events due at/after T
    opK = np.zeros((P, Z, T + 1))
    opN = np.zeros((P, Z, T + 1))
    abL = np.zeros((P, Z, T + 1))

    # initial
    Kop0 = np.zeros(Z)
    nop0 = np.zeros(Z)
    for zi, z in enumerate(Zs):
        ini = z.get('initial') or {}
        Kop0[zi] = float(ini.get('operating_capital_musd', 0.0))
        nop0[zi] = float(ini.get('operating_projects', 0))
        Kp = float(ini.get('pipeline_capital_musd', 0.0))
        npj = int(ini.get('pipeline_projects', 0))
        Pm = int(ini.get('pipeline_months', 12))
        for j in range(min(Pm, T)):
            opK[:, zi, j] += Kp / Pm
            opN[:, zi, j] += (j + 1) * npj // Pm - j * npj // Pm

    lam = np.array([f(z, 'projects_per_year') for z in Zs])
    pf = np.array([f(z, 'fdi_share') for z in Zs])
    medf = np.array([f(z, 'fdi_capital_median_musd') for z in Zs])
    medd = np.array([f(z, 'domestic_capital_median_musd') for z in Zs])
    sK = np.array([f(z, 'capital_sigma') for z in Zs])
    mI = np.array([f(z, 'capital_per_ha_musd') for z in Zs])
    sI = np.array([f(z, 'intensity_sigma') for z in Zs])
    mtau = np.array([f(z, 'months_to_operation') for z in Zs])
    ctau = np.array([f(z, 'months_to_operation_cv') for z in Zs])
    q = np.array([f(z, 'abandon_prob') for z in Zs])
    pw = np.array([f(z, 'polluting_share') for z in Zs])
    kap = np.array([f(z, 'clearance_ha_per_year') for z in Zs])
    cc = np.array([f(z, 'clearance_cv') for z in Zs])
    o = np.array([f(z, 'output_per_capital') for z in Zs])
    R = np.array([int(z['ramp_months']) for z in Zs])

    # monthly outputs, [P, T, Z]
    mo = {k: np.zeros((P, T, Z)) for k in
          ['area_ha', 'leased_ha', 'clean_ha', 'projects_registered',
           'fdi_registered_musd', 'domestic_registered_musd',
           'lost_projects', 'lost_capital_musd', 'projects_operating']}
    nop = np.tile(nop0, (P, 1))
    m = np.zeros(P)
    ar = np.arange(P)

    for t in range(T):
        # 1. macro
        eps = rng.standard_normal(P)
        m = phi * m + s * math.sqrt(1 - phi * phi) * eps
        v = s * s * (1 - phi ** (2 * (t + 1)))
        M = np.exp(m - v / 2)
        # 2. each zone
        for zi in range(Z):
            ha, thr, dl, nph = phases[zi]
            if nph:
                k = nxt[:, zi]
                can = (due[:, zi] < 0) & (k < nph)
                trig = can & (L[:, zi] / A[:, zi] >= thr[k])
                due[trig, zi] = t + dl[k[trig]]
                app = (due[:, zi] >= 0) & (due[:, zi] <= t)
                A[app, zi] += ha[k[app]]
                U[app, zi] += ha[k[app]]
                nxt[app, zi] += 1
                due[app, zi] = -1
            # b. clearance
            if kap[zi] > 0:
                if cc[zi] > 0:
                    X = rng.gamma(1.0 / cc[zi] ** 2, kap[zi] / 12 * cc[zi] ** 2, P)
                else:
                    X = np.full(P, kap[zi] / 12)
                cl = np.minimum(U[:, zi], X)
                U[:, zi] -= cl
                C[:, zi] += cl
            # c. events
            nop[:, zi] += opN[:, zi, t]
            L[:, zi] -= abL[:, zi, t]
            C[:, zi] += abL[:, zi, t]
        # 3. arrivals
        wt = works[:, t]
        for zi in range(Z):
            N = rng.poisson(lam[zi] / 12 * att[zi, t] * M)
            nmax = int(N.max()) if P else 0
            for i in range(nmax):
                act = N > i
                fdi = rng.random(P) < pf[zi]
                K = np.exp(np.where(fdi, math.log(medf[zi]), math.log(medd[zi]))
                           + sK[zi] * rng.standard_normal(P))
                I = np.exp(math.log(mI[zi]) + sI[zi] * rng.standard_normal(P))
                ell = K / I
                needw = rng.random(P) < pw[zi]
                if ctau[zi] > 0:
                    G = rng.gamma(1.0 / ctau[zi] ** 2, mtau[zi] * ctau[zi] ** 2, P)
                    tau = np.maximum(1, np.ceil(G)).astype(np.int64)
                else:
                    tau = np.full(P, max(1, math.ceil(mtau[zi])), dtype=np.int64)
                aband = rng.random(P) < q[zi]
                redir = rng.random(P) < r
                fits = (C >= ell[:, None]) & ((~needw)[:, None] | wt[None, :])
                fz = fits[:, zi]
                cand = fits.copy()
                cand[:, zi] = False
                Cm = np.where(cand, C, -np.inf)
                w = np.argmax(Cm, axis=1)
                has = cand.any(axis=1)
                host = np.where(fz, zi, np.where(redir & has, w, -1))
                host[~act] = -1
                pl = host >= 0
                lost = act & ~pl
                idx = ar[pl]
                h = host[pl]
                C[idx, h] -= ell[idx]
                L[idx, h] += ell[idx]
                mo['projects_registered'][idx, t, h] += 1
                fi = fdi[idx]
                mo['fdi_registered_musd'][idx[fi], t, h[fi]] += K[idx[fi]]
                mo['domestic_registered_musd'][idx[~fi], t, h[~fi]] += K[idx[~fi]]
                d = np.minimum(t + tau[idx], T)
                ab = aband[idx]
                abL[idx[ab], h[ab], d[ab]] += ell[idx[ab]]
                na = ~ab
                opK[idx[na], h[na], d[na]] += K[idx[na]]
                opN[idx[na], h[na], d[na]] += 1
                mo['lost_projects'][lost, t, zi] += 1
                mo['lost_capital_musd'][lost, t, zi] += K[lost]
        mo['area_ha'][:, t, :] = A
        mo['leased_ha'][:, t, :] = L
        mo['clean_ha'][:, t, :] = C
        mo['projects_operating'][:, t, :] = nop
        # invariant
        assert np.all(np.abs(L + C + U - A) <= 1e-9 * np.maximum(A, 1) + 1e-9)
        assert (C >= -1e-9).all() and (L >= -1e-9).all()

    # 4. production, post hoc (does not feed back)
    S = opK[:, :, :T]                       # [P, Z, T] starts by host
    cumS = np.cumsum(S, axis=2)
    prod = np.zeros((P, Z, T))
    for zi in range(Z):
        Rz = R[zi]
        ramped = np.zeros((P, T))
        for a in range(Rz - 1):              # ages 0..R-2 partial ramp
            ramped[:, a:] += S[:, zi, :T - a] * (a + 1) / Rz if a < T else 0
        full = np.zeros((P, T))
        if Rz - 1 < T:
            full[:, Rz - 1:] = cumS[:, zi, :T - (Rz - 1)]
        prod[:, zi, :] = (Kop0[zi] + ramped + full) * o[zi]
    growth = (1 + g) ** (np.arange(T) / 12.0) / 12.0
    prod *= growth[None, None, :]
    mo['production_musd'] = np.transpose(prod, (0, 2, 1))
    mo['total_registered_musd'] = (mo['fdi_registered_musd']
                                   + mo['domestic_registered_musd'])
    with np.errstate(invalid='ignore', divide='ignore'):
        mo['occupancy'] = mo['leased_ha'] / mo['area_ha']

    # province monthly
    mp = {k: mo[k].sum(axis=2) for k in mo if k != 'occupancy'}
    mp['occupancy'] = mp['leased_ha'] / mp['area_ha']

    # yearly
    years = np.array([(t0 + t) // 12 for t in range(T)])
    uy = np.unique(years)
    last = np.array([np.nonzero(years == y)[0].max() for y in uy])
    yz, yp = {}, {}
    for k in mo:
        if k in FLOWS:
            yz[k] = np.stack([mo[k][:, years == y, :].sum(axis=1) for y in uy], axis=1)
            yp[k] = np.stack([mp[k][:, years == y].sum(axis=1) for y in uy], axis=1)
        else:
            yz[k] = mo[k][:, last, :]
            yp[k] = mp[k][:, last]
    # province occupancy from sums (same as mp at last month)
    base = (sc.get('baseline') or {}).get('production_musd')
    with np.errstate(invalid='ignore', divide='ignore'):
        pg = np.full(yp['production_musd'].shape, np.nan)
        pg[:, 1:] = yp['production_musd'][:, 1:] / yp['production_musd'][:, :-1] - 1
        if base is not None:
            pg[:, 0] = yp['production_musd'][:, 0] / float(base) - 1
        yp['production_growth'] = pg
        pgz = np.full(yz['production_musd'].shape, np.nan)
        pgz[:, 1:] = yz['production_musd'][:, 1:] / yz['production_musd'][:, :-1] - 1
        yz['production_growth'] = pgz
    out = dict(years=uy, yearly=yp, yearly_zone=yz)
    if return_monthly:
        out['monthly'] = mp
        out['monthly_zone'] = mo
    return out


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('scenario')
    ap.add_argument('-n', type=int, default=1000)
    ap.add_argument('-s', type=int, default=1)
    ap.add_argument('-o', required=True)
    a = ap.parse_args()
    res = simulate(load(a.scenario), a.n, a.s)
    d = {'years': res['years']}
    for grp in ['yearly', 'yearly_zone', 'monthly', 'monthly_zone']:
        for k, v in res[grp].items():
            d[grp + '/' + k] = v
    np.savez_compressed(a.o, **d)


if __name__ == '__main__':
    main()
