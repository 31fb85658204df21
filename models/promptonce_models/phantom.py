"""Synthetic 3-D phantoms with a known truth, as specified in models/PHANTOMS.md (torch only).

The Java generator (io.github.promptonce.phantom.PhantomGenerator) follows the same specification: the same seed
gives the same volume in both (a Maven test compares them). Everything here is computed in float64 with the
formulas of the spec, in the spec's order of random draws; only the result is cast to float32.

    p = generate(256, 256, 24, seed=7)                 # shape and modality drawn from the seed
    p = generate(256, 256, 24, seed=7, shape="tube", modality="ct")
    p.volume  # float32 [nz, ny, nx] (i fastest in memory, as the Java Volume), HU for CT, arbitrary units for MR
    p.label   # uint8 [nz, ny, nx], 1 = target
"""
from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Dict, List, Optional, Sequence, Tuple

import torch
from torch import Tensor

MASK64 = (1 << 64) - 1
GAMMA = 0x9E3779B97F4A7C15
MIX1 = 0xBF58476D1CE4E5B9
MIX2 = 0x94D049BB133111EB
TWO_PI = 2.0 * math.pi
INV_2_53 = 1.0 / (1 << 53)

SHAPES = ("ellipsoid", "tube", "blob")
MODALITIES = ("ct", "mr")
SPACING = (0.8, 0.8, 2.5)  # mm (x, y, z)
CT_AIR = -1000.0
MR_AIR = 0.0
MAX_DISTRACTORS = 2
MAX_CLUTTER = 6
LOBES = 4  # harmonics m = 2..5


def _signed(x: int) -> int:
    x &= MASK64
    return x - (1 << 64) if x >= (1 << 63) else x


class SplitMix64:
    """Steele, Lea & Flood's SplitMix64 (the JDK's SplittableRandom mixer), 64-bit wrap-around arithmetic."""

    def __init__(self, seed: int) -> None:
        self.state = seed & MASK64

    @staticmethod
    def mix(z: int) -> int:
        z &= MASK64
        z = ((z ^ (z >> 30)) * MIX1) & MASK64
        z = ((z ^ (z >> 27)) * MIX2) & MASK64
        return z ^ (z >> 31)

    def next_long(self) -> int:
        """The next output as an unsigned 64-bit int."""
        self.state = (self.state + GAMMA) & MASK64
        return self.mix(self.state)

    def next_double(self) -> float:
        """Uniform in [0, 1): the top 53 bits."""
        return (self.next_long() >> 11) * INV_2_53

    def uniform(self, a: float, b: float) -> float:
        return a + (b - a) * self.next_double()


def _t64(x: int) -> Tensor:
    return torch.tensor(_signed(x), dtype=torch.int64)


def _shr(z: Tensor, s: int) -> Tensor:
    """Logical right shift of int64 (torch shifts arithmetically)."""
    return (z >> s) & ((1 << (64 - s)) - 1)


def stream_doubles(seed: int, index: Tensor) -> Tensor:
    """Element `index` (0-based, int64 tensor) of the SplitMix64 stream seeded `seed`, as doubles in [0, 1):
    mix(seed + (index + 1) * GAMMA), vectorised (torch's int64 multiply wraps modulo 2^64)."""
    z = _t64(seed) + (index.to(torch.int64) + 1) * _t64(GAMMA)
    z = (z ^ _shr(z, 30)) * _t64(MIX1)
    z = (z ^ _shr(z, 27)) * _t64(MIX2)
    z = z ^ _shr(z, 31)
    return _shr(z, 11).to(torch.float64) * INV_2_53


@dataclass
class Ellipse:
    """A star-shaped ellipse (optionally lobulated) in one slice: centre, semi-axes a >= b, rotation, lobes."""

    cx: float
    cy: float
    a: float
    b: float
    rot: float
    lobes: Sequence[Tuple[int, float, float]] = ()  # (m, amplitude, phase incl. drift)

    def r_max(self) -> float:
        return max(self.a, self.b) * (1.0 + sum(abs(amp) for _, amp, _ in self.lobes))


def star_distance(e: Ellipse, x: Tensor, y: Tensor) -> Tensor:
    """Radial distance d = rho - r(phi) of the spec (negative inside); x, y: voxel coordinates (float64)."""
    dx = x - e.cx
    dy = y - e.cy
    c, s = math.cos(e.rot), math.sin(e.rot)
    u = dx * c + dy * s
    v = -dx * s + dy * c
    rho = torch.sqrt(dx * dx + dy * dy)
    centre = rho == 0.0
    safe = torch.where(centre, torch.ones_like(rho), rho)
    cp = torch.where(centre, torch.ones_like(rho), u / safe)
    sp = torch.where(centre, torch.zeros_like(rho), v / safe)
    r = (e.a * e.b) / torch.sqrt((e.b * cp) * (e.b * cp) + (e.a * sp) * (e.a * sp))
    if e.lobes:
        phi = torch.atan2(v, u)
        mod = torch.ones_like(r)
        for m, amp, ph in e.lobes:
            mod = mod + amp * torch.cos(m * phi + ph)
        r = r * mod
    return rho - r


def _box(e: Ellipse, nx: int, ny: int) -> Optional[Tuple[int, int, int, int]]:
    """The voxels that can have d < 1: |x - cx|, |y - cy| <= r_max + 1 (x0, x1, y0, y1 exclusive ends)."""
    r = e.r_max() + 1.0
    x0, x1 = max(0, int(math.floor(e.cx - r))), min(nx, int(math.floor(e.cx + r)) + 1)
    y0, y1 = max(0, int(math.floor(e.cy - r))), min(ny, int(math.floor(e.cy + r)) + 1)
    if x0 >= x1 or y0 >= y1:
        return None
    return x0, x1, y0, y1


def occupancy(d: Tensor) -> Tensor:
    return torch.clamp(0.5 - d, 0.0, 1.0)


@dataclass
class ObjectPath:
    """An object along the slice axis: extent t = (k - zc) / hz in (-1, 1), profile, size, drift, rotation."""

    zc: float
    hz: float
    profile: str  # "ellipsoid" | "tube"
    radius: float
    aspect: float
    rot0: float
    drot: float
    growth: float
    lobes: List[Tuple[int, float, float, float]]  # (m, amplitude, phase, phase drift per unit t)

    def t(self, k: int) -> float:
        return (k - self.zc) / self.hz

    def p(self, t: float) -> float:
        if self.profile == "tube":
            q = max(0.0, (abs(t) - 0.75) / 0.25)
            return math.sqrt(max(0.0, 1.0 - q * q))
        return math.sqrt(max(0.0, 1.0 - t * t))

    def zocc(self, t: float) -> float:
        return min(1.0, max(0.0, (1.0 - abs(t)) * self.hz + 0.5))

    def r_max_all(self) -> float:
        return self.radius * (1.0 + abs(self.growth)) * (1.0 + sum(abs(l[1]) for l in self.lobes))


@dataclass
class Phantom:
    nx: int
    ny: int
    nz: int
    seed: int
    shape: str
    modality: str
    volume: Tensor  # float32 [nz, ny, nx] (or [len(slices), ny, nx] when generated for some slices)
    label: Tensor  # uint8, 1 = target
    distractors: Tensor  # uint8, d = distractor number (1-based), 0 elsewhere
    slices: List[int]
    params: Dict[str, object] = field(default_factory=dict)

    @property
    def spacing(self) -> Tuple[float, float, float]:
        return SPACING


class _Spec:
    """All parameters of one phantom, drawn in the spec's order."""

    def __init__(self, nx: int, ny: int, nz: int, seed: int, shape: str, modality: str) -> None:
        if nx < 32 or ny < 32:
            raise ValueError(f"phantom: nx and ny must be >= 32, got {nx} x {ny}")
        if nz < 6:
            raise ValueError(f"phantom: nz must be >= 6, got {nz}")
        if shape not in SHAPES + ("any",):
            raise ValueError(f"phantom: shape must be one of {', '.join(SHAPES)}, any; got {shape!r}")
        if modality not in MODALITIES + ("any",):
            raise ValueError(f"phantom: modality must be one of {', '.join(MODALITIES)}, any; got {modality!r}")
        self.nx, self.ny, self.nz = nx, ny, nz
        rng = SplitMix64(seed)
        S = float(min(nx, ny))
        self.S = S
        cxi, cyi = (nx - 1) / 2.0, (ny - 1) / 2.0
        self.cxi, self.cyi = cxi, cyi
        # 1. kind
        m_sel = rng.next_double()
        s_sel = rng.next_double()
        self.modality = modality if modality != "any" else ("ct" if m_sel < 0.5 else "mr")
        self.shape = shape if shape != "any" else SHAPES[min(2, int(math.floor(3.0 * s_sel)))]
        # 2. body
        self.bcx = cxi + S * rng.uniform(-0.03, 0.03)
        self.bcy = cyi + S * rng.uniform(-0.03, 0.03)
        self.bax = S * rng.uniform(0.40, 0.47)
        self.bay = S * rng.uniform(0.33, 0.42)
        self.brot = rng.uniform(-0.2, 0.2)
        self.fat = S * rng.uniform(0.015, 0.04)
        self.bscale = rng.uniform(-0.1, 0.1)
        # 3. target
        tube = self.shape == "tube"
        L = nz - 2.0
        zfrac = rng.uniform(0.55, 0.85)
        zpos = rng.next_double()
        radius = S * rng.uniform(0.045, 0.10)
        aspect = rng.uniform(0.6, 1.0)
        rot0 = rng.uniform(0.0, math.pi)
        drot = rng.uniform(-0.6, 0.6)
        growth = rng.uniform(-0.35, 0.35)
        vx, vy = rng.uniform(-1.0, 1.0), rng.uniform(-1.0, 1.0)
        bx, by = rng.uniform(-1.0, 1.0), rng.uniform(-1.0, 1.0)
        px, py = rng.uniform(-1.0, 1.0), rng.uniform(-1.0, 1.0)
        lobes = []
        for m in range(2, 2 + LOBES):
            amp = rng.uniform(0.0, 0.12)
            ph = rng.uniform(0.0, TWO_PI)
            pd = rng.uniform(-1.5, 1.5)
            lobes.append((m, amp, ph, pd))
        hz = zfrac * L / 2.0
        zc = 0.5 + hz + zpos * (L - 2.0 * hz)
        self.target = ObjectPath(zc, hz, "tube" if tube else "ellipsoid", radius,
                                 (0.5 + 0.5 * aspect) if tube else aspect, rot0, drot, growth,
                                 lobes if self.shape == "blob" else [])
        dv = S * (0.10 if tube else 0.05)
        db = S * (0.08 if tube else 0.03)
        self.drift = (dv * vx, dv * vy, db * bx, db * by)
        rmax = self.target.r_max_all()
        shrink = 1.0 - abs(self.bscale) / 2.0
        room_x = max(0.0, 0.8 * self.bax * shrink - rmax - (dv * abs(vx) + db * abs(bx)))
        room_y = max(0.0, 0.8 * self.bay * shrink - rmax - (dv * abs(vy) + db * abs(by)))
        self.c0 = (self.bcx + px * room_x, self.bcy + py * room_y)
        # 4. intensities
        iu = [rng.next_double() for _ in range(8)]
        if self.modality == "ct":
            self.air = CT_AIR
            self.tissue = 20.0 + 40.0 * iu[0]
            self.fat_i = -120.0 + 40.0 * iu[1]
            sign = -1.0 if iu[2] < 0.3 else 1.0
            self.target_i = self.tissue + sign * (40.0 + 80.0 * iu[3])
            self.sigma = 6.0 + 14.0 * iu[4]
            self.tex_amp = 10.0 + 20.0 * iu[5]
            self.bias = (0.0, 0.0)
        else:
            self.air = MR_AIR
            self.tissue = 300.0 + 200.0 * iu[0]
            self.fat_i = 700.0 + 250.0 * iu[1]
            sign = -1.0 if iu[2] < 0.35 else 1.0
            self.target_i = self.tissue * (1.0 + sign * (0.35 + 0.5 * iu[3]))
            self.sigma = self.tissue * (0.02 + 0.04 * iu[4])
            self.tex_amp = self.tissue * (0.03 + 0.05 * iu[5])
            self.bias = (0.6 * (iu[6] - 0.5), 0.6 * (iu[7] - 0.5))
        # 5. distractors
        self.n_distractors = 1 + min(1, int(math.floor(2.0 * rng.next_double())))
        beta = math.atan2(self.bcy - self.c0[1], self.bcx - self.c0[0])
        self.distractors = []
        for s in range(MAX_DISTRACTORS):
            ang = rng.next_double()
            gap = S * rng.uniform(0.012, 0.06)
            rd = S * rng.uniform(0.035, 0.085)
            aspd = rng.uniform(0.55, 1.0)
            rotd = rng.uniform(0.0, math.pi)
            growd = rng.uniform(-0.3, 0.3)
            zfd = rng.uniform(0.4, 0.9)
            zpd = rng.next_double()
            di = rng.next_double()
            if s >= self.n_distractors:
                continue
            dist = rmax + rd * (1.0 + abs(growd)) + gap
            alpha = self._fit_angle(beta + (ang - 0.5) * math.pi + s * math.pi, dist, rd * (1.0 + abs(growd)))
            hzd = zfd * L / 2.0
            zcd = 0.5 + hzd + zpd * (L - 2.0 * hzd)
            if self.modality == "ct":
                inten = self.target_i + (2.0 * di - 1.0) * 15.0
            else:
                inten = self.target_i * (1.0 + (2.0 * di - 1.0) * 0.06)
            path = ObjectPath(zcd, hzd, "ellipsoid", rd, aspd, rotd, 0.0, growd, [])
            self.distractors.append((path, dist * math.cos(alpha), dist * math.sin(alpha), inten))
        # 6. clutter
        self.n_clutter = 3 + min(3, int(math.floor(4.0 * rng.next_double())))
        self.clutter = []
        for c in range(MAX_CLUTTER):
            ux, uy, ur, ui, udx, udy = (rng.next_double() for _ in range(6))
            if c >= self.n_clutter:
                continue
            x = self.bcx + (2.0 * ux - 1.0) * 0.75 * self.bax
            y = self.bcy + (2.0 * uy - 1.0) * 0.75 * self.bay
            r = S * (0.008 + 0.014 * ur)
            if self.modality == "ct":
                inten = self.tissue - 80.0 + 280.0 * ui
            else:
                inten = self.tissue * (0.4 + 1.4 * ui)
            self.clutter.append((x, y, r, inten, S * 0.04 * (2.0 * udx - 1.0), S * 0.04 * (2.0 * udy - 1.0)))
        # 7. organs (large low-contrast regions)
        self.organs = []
        for _ in range(2):
            ux, uy, ua, uasp, urot, ui, udx, udy = (rng.next_double() for _ in range(8))
            a = S * (0.10 + 0.12 * ua)
            if self.modality == "ct":
                inten = self.tissue + (2.0 * ui - 1.0) * 35.0
            else:
                inten = self.tissue * (1.0 + (2.0 * ui - 1.0) * 0.15)
            self.organs.append((self.bcx + (2.0 * ux - 1.0) * 0.5 * self.bax, self.bcy + (2.0 * uy - 1.0) * 0.5 * self.bay,
                                a, a * (0.5 + 0.5 * uasp), math.pi * urot, inten,
                                S * 0.05 * (2.0 * udx - 1.0), S * 0.05 * (2.0 * udy - 1.0)))
        # 8. field seeds
        self.tex_seed = rng.next_long()
        self.noise_seed = rng.next_long()
        c1 = max(4, int(S) // 8)
        c2 = max(2, int(S) // 32)
        self.octaves = [(c1, 4, 1.0), (c2, 2, 0.5)]

    def _fit_angle(self, alpha: float, dist: float, rd_max: float) -> float:
        """The first of alpha + j pi/4 (j = 0..7) that keeps the distractor inside the body (spec §5), else alpha."""
        ex = self.bax * (1.0 - abs(self.bscale) / 2.0) - self.fat - rd_max
        ey = self.bay * (1.0 - abs(self.bscale) / 2.0) - self.fat - rd_max
        for j in range(8):
            a = alpha + j * (math.pi / 4.0)
            ox, oy = dist * math.cos(a), dist * math.sin(a)
            fits = ex > 0.0 and ey > 0.0
            for t in (-1.0, -0.5, 0.0, 0.5, 1.0):
                if not fits:
                    break
                cx, cy = self.centre(t)
                qx = (cx + ox - self.bcx) / ex
                qy = (cy + oy - self.bcy) / ey
                fits = qx * qx + qy * qy <= 1.0
            if fits:
                return a
        return alpha

    # --- geometry per slice -------------------------------------------------------------------------------------
    def centre(self, t: float) -> Tuple[float, float]:
        vx, vy, bx, by = self.drift
        return self.c0[0] + vx * t + bx * t * t, self.c0[1] + vy * t + by * t * t

    def target_ellipse(self, k: int) -> Optional[Tuple[Ellipse, float]]:
        p = self.target
        t = p.t(k)
        if abs(t) >= 1.0:
            return None
        a = p.radius * p.p(t) * (1.0 + p.growth * t)
        if a <= 0.0:
            return None
        cx, cy = self.centre(t)
        lobes = [(m, amp, ph + pd * t) for m, amp, ph, pd in p.lobes]
        return Ellipse(cx, cy, a, a * p.aspect, p.rot0 + p.drot * t, lobes), p.zocc(t)

    def distractor_ellipse(self, d: int, k: int) -> Optional[Tuple[Ellipse, float]]:
        path, ox, oy, _ = self.distractors[d]
        t = path.t(k)
        if abs(t) >= 1.0:
            return None
        a = path.radius * path.p(t) * (1.0 + path.growth * t)
        if a <= 0.0:
            return None
        cx, cy = self.centre(min(1.0, max(-1.0, self.target.t(k))))
        return Ellipse(cx + ox, cy + oy, a, a * path.aspect, path.rot0), path.zocc(t)

    def body_ellipses(self, k: int) -> Tuple[Ellipse, Ellipse]:
        sb = 1.0 + self.bscale * (k / (self.nz - 1.0) - 0.5)
        ax, ay = self.bax * sb, self.bay * sb
        outer = Ellipse(self.bcx, self.bcy, ax, ay, self.brot)
        inner = Ellipse(self.bcx, self.bcy, ax - self.fat, ay - self.fat, self.brot)
        return outer, inner


def _lattices(spec: "_Spec") -> List[Tensor]:
    """Lattice values 2u - 1 of each octave, from the texture stream: octave o's element n = lx + Lx (ly + Ly lz)
    is stream element offset_o + n."""
    out, offset = [], 0
    for cell, cz, _ in spec.octaves:
        n = (spec.nx // cell + 2) * (spec.ny // cell + 2) * (spec.nz // cz + 2)
        out.append(2.0 * stream_doubles(spec.tex_seed, torch.arange(offset, offset + n)) - 1.0)
        offset += n
    return out


def _value_noise(spec: "_Spec", lattices: List[Tensor], k: int, xi: Tensor, yi: Tensor) -> Tensor:
    """Sum over octaves of weight * smoothstep-trilinear value noise at integer voxels (xi, yi, k)."""
    total = torch.zeros(xi.shape, dtype=torch.float64)
    for (cell, cz, weight), lat in zip(spec.octaves, lattices):
        lx, ly = spec.nx // cell + 2, spec.ny // cell + 2
        i0 = torch.div(xi, cell, rounding_mode="floor")
        j0 = torch.div(yi, cell, rounding_mode="floor")
        k0 = k // cz
        fx = (xi - i0 * cell).to(torch.float64) / cell
        fy = (yi - j0 * cell).to(torch.float64) / cell
        fz = (k - k0 * cz) / cz
        wx = fx * fx * (3.0 - 2.0 * fx)
        wy = fy * fy * (3.0 - 2.0 * fy)
        wz = fz * fz * (3.0 - 2.0 * fz)
        base = i0 + lx * (j0 + ly * k0)

        def at(di: int, dj: int, dk: int) -> Tensor:
            return lat[base + (di + lx * (dj + ly * dk))]

        v00 = at(0, 0, 0) * (1.0 - wx) + at(1, 0, 0) * wx
        v10 = at(0, 1, 0) * (1.0 - wx) + at(1, 1, 0) * wx
        v01 = at(0, 0, 1) * (1.0 - wx) + at(1, 0, 1) * wx
        v11 = at(0, 1, 1) * (1.0 - wx) + at(1, 1, 1) * wx
        v0 = v00 * (1.0 - wy) + v10 * wy
        v1 = v01 * (1.0 - wy) + v11 * wy
        total = total + weight * (v0 * (1.0 - wz) + v1 * wz)
    return total


def _paint(v: Tensor, e: Ellipse, zocc: float, inten: float, x: Tensor, y: Tensor
           ) -> Optional[Tuple[Tuple[int, int, int, int], Tensor, Tensor]]:
    """v = v (1 - occ) + inten occ inside the object's box; returns (box, d, occ) of the box, or None."""
    box = _box(e, v.shape[1], v.shape[0])
    if box is None:
        return None
    x0, x1, y0, y1 = box
    d = star_distance(e, x[y0:y1, x0:x1], y[y0:y1, x0:x1])
    occ = occupancy(d) * zocc
    sub = v[y0:y1, x0:x1]
    v[y0:y1, x0:x1] = sub * (1.0 - occ) + inten * occ
    return box, d, occ


def _render_slice(spec: "_Spec", lattices: List[Tensor], k: int) -> Tuple[Tensor, Tensor, Tensor]:
    nx, ny = spec.nx, spec.ny
    yi, xi = torch.meshgrid(torch.arange(ny, dtype=torch.int64), torch.arange(nx, dtype=torch.int64),
                            indexing="ij")
    x, y = xi.to(torch.float64), yi.to(torch.float64)
    outer, inner = spec.body_ellipses(k)
    occ_b = occupancy(star_distance(outer, x, y))
    occ_in = occupancy(star_distance(inner, x, y))
    v = spec.air * (1.0 - occ_b) + occ_b * (spec.fat_i * (1.0 - occ_in) + spec.tissue * occ_in)
    tau = k / (spec.nz - 1.0) - 0.5
    for (cx, cy, a, b, rot, inten, ddx, ddy) in spec.organs:
        organ = Ellipse(cx + ddx * tau, cy + ddy * tau, a, b, rot)
        box = _box(organ, nx, ny)
        if box is None:
            continue
        x0, x1, y0, y1 = box
        occ = occupancy(star_distance(organ, x[y0:y1, x0:x1], y[y0:y1, x0:x1])) * occ_in[y0:y1, x0:x1]
        v[y0:y1, x0:x1] = v[y0:y1, x0:x1] * (1.0 - occ) + inten * occ
    for (cx, cy, r, inten, ddx, ddy) in spec.clutter:
        circle = Ellipse(cx + ddx * tau, cy + ddy * tau, r, r, 0.0)
        box = _box(circle, nx, ny)
        if box is None:
            continue
        x0, x1, y0, y1 = box
        dx = x[y0:y1, x0:x1] - circle.cx
        dy = y[y0:y1, x0:x1] - circle.cy
        occ = occupancy(torch.sqrt(dx * dx + dy * dy) - r) * occ_in[y0:y1, x0:x1]
        v[y0:y1, x0:x1] = v[y0:y1, x0:x1] * (1.0 - occ) + inten * occ
    dlabel = torch.zeros(ny, nx, dtype=torch.uint8)
    for d in range(len(spec.distractors)):
        e = spec.distractor_ellipse(d, k)
        if e is None:
            continue
        res = _paint(v, e[0], e[1], spec.distractors[d][3], x, y)
        if res is not None:
            (x0, x1, y0, y1), dist, _ = res
            sub = dlabel[y0:y1, x0:x1]
            sub[dist < 0] = d + 1
    label = torch.zeros(ny, nx, dtype=torch.uint8)
    tex_w = occ_b
    e = spec.target_ellipse(k)
    if e is not None:
        res = _paint(v, e[0], e[1], spec.target_i, x, y)
        if res is not None:
            (x0, x1, y0, y1), dist, occ_t = res
            label[y0:y1, x0:x1][dist < 0] = 1
            tex_w = occ_b.clone()
            tex_w[y0:y1, x0:x1] = occ_b[y0:y1, x0:x1] * (1.0 - 0.5 * occ_t)
    v = v + spec.tex_amp * _value_noise(spec, lattices, k, xi, yi) * tex_w
    n = xi + nx * (yi + ny * k)
    u1 = stream_doubles(spec.noise_seed, 2 * n)
    u2 = stream_doubles(spec.noise_seed, 2 * n + 1)
    r = torch.sqrt(-2.0 * torch.log(1.0 - u1))
    g1 = r * torch.cos(TWO_PI * u2)
    if spec.modality == "ct":
        v = v + spec.sigma * g1
    else:
        g2 = r * torch.sin(TWO_PI * u2)
        bias = 1.0 + spec.bias[0] * (x - spec.cxi) / spec.S + spec.bias[1] * (y - spec.cyi) / spec.S
        v = v * bias
        v = torch.sqrt((v + spec.sigma * g1) * (v + spec.sigma * g1) + (spec.sigma * g2) * (spec.sigma * g2))
    return v.to(torch.float32), label, dlabel


def generate(nx: int, ny: int, nz: int, seed: int, shape: str = "any", modality: str = "any",
             slices: Optional[Sequence[int]] = None) -> Phantom:
    """The phantom of the spec; `slices` renders only those slices (same values as in the full volume)."""
    spec = _Spec(nx, ny, nz, seed, shape, modality)
    ks = list(range(nz)) if slices is None else [int(k) for k in slices]
    for k in ks:
        if k < 0 or k >= nz:
            raise ValueError(f"phantom: slice {k} outside 0..{nz - 1}")
    lattices = _lattices(spec)
    vols, labs, dls = [], [], []
    for k in ks:
        v, l, d = _render_slice(spec, lattices, k)
        vols.append(v)
        labs.append(l)
        dls.append(d)
    empty = (0, ny, nx)
    return Phantom(
        nx, ny, nz, seed, spec.shape, spec.modality,
        torch.stack(vols) if vols else torch.zeros(empty), torch.stack(labs) if labs else torch.zeros(empty,
                                                                                                      dtype=torch.uint8),
        torch.stack(dls) if dls else torch.zeros(empty, dtype=torch.uint8), ks,
        params={"tissue": spec.tissue, "target": spec.target_i, "air": spec.air, "sigma": spec.sigma,
                "distractors": spec.n_distractors, "clutter": spec.n_clutter,
                "target_slices": target_slices(spec)})


def target_slices(spec: _Spec) -> Tuple[int, int]:
    """First and last slice whose target ellipse exists (the label may still be empty at a tiny end)."""
    ks = [k for k in range(spec.nz) if spec.target_ellipse(k) is not None]
    return (ks[0], ks[-1]) if ks else (-1, -1)


def prompt_point(label: Tensor) -> Tuple[int, int, int]:
    """The demo's click (spec §8): on the middle slice of the slices that contain the target, the target voxel
    nearest to that slice's target centroid (ties: lowest linear index) -> (x, y, k)."""
    present = [k for k in range(label.shape[0]) if bool(label[k].any())]
    if not present:
        raise ValueError("phantom: the label is empty")
    k = (present[0] + present[-1]) // 2
    ys, xs = torch.nonzero(label[k] > 0, as_tuple=True)
    cx = xs.to(torch.float64).mean()
    cy = ys.to(torch.float64).mean()
    d2 = (xs.to(torch.float64) - cx) ** 2 + (ys.to(torch.float64) - cy) ** 2
    best = int(torch.argmin(d2))  # first minimum in row-major order = lowest linear index
    return int(xs[best]), int(ys[best]), k
