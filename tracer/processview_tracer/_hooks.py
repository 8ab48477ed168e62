"""Patch standard-library modules right after they are imported (or now, if they already are).

Importing multiprocessing eagerly would slow every traced interpreter's start-up and change
sys.modules; a meta-path finder lets us patch only what the program actually uses.
"""
import importlib.abc
import importlib.machinery
import sys

from . import _core


class _PatchingLoader(importlib.abc.Loader):
    def __init__(self, loader, patch):
        self._loader = loader
        self._patch = patch

    def create_module(self, spec):
        return self._loader.create_module(spec)

    def exec_module(self, module):
        self._loader.exec_module(module)
        _apply(self._patch, module)

    def __getattr__(self, name):  # get_source, is_package, ... for tools that ask the loader
        return getattr(self._loader, name)


class _Finder(importlib.abc.MetaPathFinder):
    def __init__(self, patches):
        self._patches = patches

    def find_spec(self, name, path, target=None):
        patch = self._patches.get(name)
        if patch is None:
            return None
        for finder in sys.meta_path:
            if finder is self or not hasattr(finder, "find_spec"):
                continue
            spec = finder.find_spec(name, path, target)
            if spec is not None:
                if spec.loader is not None and hasattr(spec.loader, "exec_module"):
                    spec.loader = _PatchingLoader(spec.loader, patch)
                return spec
        return None


def _apply(patch, module):
    if getattr(module, "_pv_patched", False):
        return
    try:
        patch(module)
        module._pv_patched = True
    except Exception as e:
        _core.error("patch " + module.__name__, e)


def install(patches):
    for name, patch in patches.items():
        mod = sys.modules.get(name)
        if mod is not None:
            _apply(patch, mod)
    sys.meta_path.insert(0, _Finder(patches))
