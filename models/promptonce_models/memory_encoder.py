"""SAM 2 memory encoder: mask downsampler (strided convs, LayerNorm2d, GELU), projected pixel features,
ConvNeXt fuser, output projection to mem_dim. Parameter names follow sam2 (`memory_encoder.*`)."""

import torch
import torch.nn.functional as F
from torch import Tensor, nn

from .common import LayerNorm2d
from .configs import Sam2Config


class MaskDownSampler(nn.Module):
    def __init__(self, cfg: Sam2Config) -> None:
        super().__init__()
        layers = []
        c_in = 1
        for c_out in cfg.mask_downsampler_channels:
            layers += [nn.Conv2d(c_in, c_out, kernel_size=cfg.mask_downsampler_kernel,
                                 stride=cfg.mask_downsampler_stride, padding=cfg.mask_downsampler_padding),
                       LayerNorm2d(c_out), nn.GELU()]
            c_in = c_out
        layers.append(nn.Conv2d(c_in, cfg.d_model, kernel_size=1))
        self.encoder = nn.Sequential(*layers)

    def forward(self, x: Tensor) -> Tensor:
        return self.encoder(x)


class CXBlock(nn.Module):
    """ConvNeXt block: depth-wise conv, LayerNorm2d, pointwise MLP (as Linear), layer scale `gamma`."""

    def __init__(self, dim: int, kernel: int, padding: int, expansion: int, layer_scale_init: float) -> None:
        super().__init__()
        self.dwconv = nn.Conv2d(dim, dim, kernel_size=kernel, padding=padding, groups=dim)
        self.norm = LayerNorm2d(dim, eps=1e-6)
        self.pwconv1 = nn.Linear(dim, expansion * dim)
        self.pwconv2 = nn.Linear(expansion * dim, dim)
        self.gamma = nn.Parameter(layer_scale_init * torch.ones(dim))

    def forward(self, x: Tensor) -> Tensor:
        y = self.norm(self.dwconv(x)).permute(0, 2, 3, 1)
        y = self.gamma * self.pwconv2(F.gelu(self.pwconv1(y)))
        return x + y.permute(0, 3, 1, 2)


class Fuser(nn.Module):
    def __init__(self, cfg: Sam2Config) -> None:
        super().__init__()
        self.layers = nn.ModuleList([
            CXBlock(cfg.d_model, cfg.fuser_kernel, cfg.fuser_padding, cfg.fuser_expansion, cfg.fuser_layer_scale_init)
            for _ in range(cfg.fuser_layers)])

    def forward(self, x: Tensor) -> Tensor:
        for layer in self.layers:
            x = layer(x)
        return x


class MemoryEncoder(nn.Module):
    """(pixel features [B, C, E, E], mask input [B, 1, S, S] already scaled) -> [B, mem_dim, E, E]."""

    def __init__(self, cfg: Sam2Config) -> None:
        super().__init__()
        self.mask_downsampler = MaskDownSampler(cfg)
        self.pix_feat_proj = nn.Conv2d(cfg.d_model, cfg.d_model, kernel_size=1)
        self.fuser = Fuser(cfg)
        self.out_proj = nn.Conv2d(cfg.d_model, cfg.mem_dim, kernel_size=1)

    def forward(self, pix_feat: Tensor, mask: Tensor) -> Tensor:
        x = self.pix_feat_proj(pix_feat) + self.mask_downsampler(mask)
        return self.out_proj(self.fuser(x))
