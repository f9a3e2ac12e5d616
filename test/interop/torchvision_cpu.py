"""Import torchvision on a CPU-only torch whose torchvision wheel was built for CUDA.

Such a torchvision cannot load its C++ operators (nms, roi_align, ...), and its import stops while registering
their shape functions. The classifiers the tests export need none of them, so registration failures are ignored.
Use `from torchvision_cpu import torchvision` instead of `import torchvision`.
"""
import torch
import torch.library

_register_fake = torch.library.register_fake


def _tolerant_register_fake(op, func=None, *args, **kwargs):
    def apply(f):
        try:
            return _register_fake(op, f, *args, **kwargs)
        except RuntimeError:  # the operator's C++ library did not load
            return f

    return apply(func) if func is not None else apply


torch.library.register_fake = _tolerant_register_fake
import torchvision  # noqa: E402

torch.library.register_fake = _register_fake
