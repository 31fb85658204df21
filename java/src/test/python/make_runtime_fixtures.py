"""Writes the tiny TorchScript modules the runtime tests load (run by Maven before the tests).

    /usr/bin/python3 make_runtime_fixtures.py OUT_DIR
"""
import os
import sys
from typing import List, Optional, Tuple

import torch
from torch import Tensor, nn


class Basics(nn.Module):
    """forward = identity (any dtype); a few methods with known results."""

    def __init__(self) -> None:
        super().__init__()
        self.register_buffer("weights", torch.arange(6, dtype=torch.float32).reshape(2, 3))
        self.count: int = 3

    def forward(self, x: Tensor) -> Tensor:
        return x

    @torch.jit.export
    def add_one(self, x: Tensor) -> Tensor:
        return x + 1

    @torch.jit.export
    def transpose(self, x: Tensor) -> Tensor:
        return x.t()  # a non-contiguous view

    @torch.jit.export
    def scale(self, x: Tensor, factor: float) -> Tensor:
        return x * factor

    @torch.jit.export
    def matmul(self, a: Tensor, b: Tensor) -> Tensor:
        return a @ b

    @torch.jit.export
    def fails(self, x: Tensor) -> Tensor:
        if x.numel() >= 0:
            raise RuntimeError("fixture failure on purpose")
        return x


class Kinds(nn.Module):
    """Every argument and result kind the runtime supports."""

    def forward(self, t: Tensor, i: int, d: float, b: bool, opt: Optional[Tensor], ts: List[Tensor],
                ints: List[int]) -> Tuple[Tensor, List[Tensor], int, float, bool, bool]:
        shifted = [x + i for x in ts]
        total = i
        for v in ints:
            total += v
        return t * d, shifted, total, d * 2.0, not b, opt is None

    @torch.jit.export
    def nothing(self) -> Optional[Tensor]:
        return None

    @torch.jit.export
    def text(self) -> str:
        return "not convertible"

    @torch.jit.export
    def nested(self, x: Tensor) -> Tuple[Tuple[Tensor, int], List[Tensor]]:
        return (x, 7), [x, x * 2]


def main() -> None:
    out = sys.argv[1]
    os.makedirs(out, exist_ok=True)
    torch.jit.script(Basics()).save(os.path.join(out, "basics.pt"))
    torch.jit.script(Kinds()).save(os.path.join(out, "kinds.pt"))
    with open(os.path.join(out, "garbage.pt"), "wb") as f:
        f.write(b"this is not a TorchScript archive\n" * 10)


if __name__ == "__main__":
    main()
