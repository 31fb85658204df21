"""promptonce_models: compact SAM and SAM 2 / 2.1 in PyTorch that load the official checkpoints and export
TorchScript components plus a manifest for the promptonce host. Needs only torch (>= 1.13)."""

__version__ = "0.1.0"
