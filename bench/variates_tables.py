#!/usr/bin/python3
"""variates_tables.py -- prints the constant tables of engine/variates.c.

Run once, by hand, when an algorithm of variates.c changes (and bump
IPSIM_VARIATES_VERSION); the tables in the source are this script's output.

- The ziggurat for the standard normal: 128 layers of equal area v under
  f(x) = exp(-x^2/2).  Layer i < 127 is [0, e_i] x [f(e_i), f(e_{i-1})]
  (f(e_{-1}) = 1); layer 127 is [0, r] x [0, f(r)] plus the tail beyond
  r = e_126, stretched to width v / f(r).  r solves "the top layer has area
  v" (bisection).  A draw's word gives x = j e_i / 2^24 with j < 2^24, so
      zig_w[i] = e_i / 2^24  (zig_w[127] = v / f(r) / 2^24),
      zig_k[i] = floor(2^24 e_{i-1} / e_i)  (inside f below it; 0 for i = 0),
      zig_y[i] = f(e_{i-1}).
- exp: 2^(i/128) for i < 128 as the ARM optimized-routines exp stores it:
  tab[2i+1] = bits(round(2^(i/128))) - (i << 45), tab[2i] = bits of its
  relative rounding error, both from 60-digit decimal arithmetic.
- the approximate log (ipsim_variates_log_approx): z in [0.6875, 1.375)
  (bit patterns from 0x3fe6 << 48) in 128 ranges of equal bit-pattern
  width, i = the range's number; tab[2i] = invc, 1/c rounded to a double
  for c the middle of the range, tab[2i+1] = -log(invc) from 60-digit
  decimal arithmetic.
"""
import math
import struct
from decimal import Decimal, getcontext

N_ZIG = 128


def f(x):
    return math.exp(-0.5 * x * x)


def finv(y):
    return math.sqrt(-2.0 * math.log(y))


def ziggurat(r):
    v = r * f(r) + math.sqrt(math.pi / 2) * math.erfc(r / math.sqrt(2))
    e = [0.0] * (N_ZIG - 1)
    e[N_ZIG - 2] = r
    for i in range(N_ZIG - 2, 0, -1):
        y = f(e[i]) + v / e[i]
        if y >= 1.0:
            return None, v, e
        e[i - 1] = finv(y)
    return f(e[0]) + v / e[0] - 1.0, v, e


def zig_tables():
    lo, hi = 3.0, 4.0
    for _ in range(200):
        mid = 0.5 * (lo + hi)
        res = ziggurat(mid)[0]
        if res is None or res > 0:
            lo = mid
        else:
            hi = mid
    r = 0.5 * (lo + hi)
    _, v, e = ziggurat(r)
    s = 2.0 ** 24
    w = [e[i] / s for i in range(N_ZIG - 1)] + [v / f(r) / s]
    k = [0] + [int(math.floor(s * e[i - 1] / e[i])) for i in range(1, N_ZIG - 1)]
    k += [int(math.floor(s * r * f(r) / v))]
    y = [1.0] + [f(e[i - 1]) for i in range(1, N_ZIG)]
    return r, k, w, y


def bits(x):
    return struct.unpack("<Q", struct.pack("<d", x))[0]


def exp_table(n=128):
    getcontext().prec = 60
    tab = []
    for i in range(n):
        v = Decimal(2) ** (Decimal(i) / n)
        r = float(v)
        tail = float((v - Decimal(r)) / Decimal(r))
        tab += [bits(tail), (bits(r) - (i << 45)) & 0xFFFFFFFFFFFFFFFF]
    return tab


def log_table(n=128):
    getcontext().prec = 60
    off = 0x3FE6000000000000
    tab = []
    for i in range(n):
        lo = struct.unpack("<d", struct.pack("<Q", off + (i << 45)))[0]
        hi = struct.unpack("<d", struct.pack("<Q", off + ((i + 1) << 45)))[0]
        invc = 1.0 / (0.5 * (lo + hi))
        tab += [invc, float(-Decimal(invc).ln())]
    return tab


def rows(vals, per, fmt):
    return "\n".join("    " + " ".join(fmt(x) + "," for x in vals[i:i + per])
                     for i in range(0, len(vals), per))


def main():
    r, k, w, y = zig_tables()
    print("#define ZIG_R %r" % r)
    print("const uint32_t ipsim_variates_zig_k[ZIG_LAYERS] = {\n%s\n};"
          % rows(k, 6, lambda x: "%du" % x))
    print("const double ipsim_variates_zig_w[ZIG_LAYERS] = {\n%s\n};"
          % rows(w, 3, lambda x: "%.17e" % x))
    print("static const double zig_y[ZIG_LAYERS] = {\n%s\n};" % rows(y, 3, lambda x: "%.17e" % x))
    print("const uint64_t ipsim_variates_exp_tab[2 * IPSIM_VARIATES_EXP_N] = {\n%s\n};"
          % rows(exp_table(), 3, lambda x: "0x%016xu" % x))
    print("const double ipsim_variates_log_tab[2 * IPSIM_VARIATES_LOG_N] = {\n%s\n};"
          % rows(log_table(), 2, lambda x: "%.17e" % x))


if __name__ == "__main__":
    main()
