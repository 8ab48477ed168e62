"""Process View tracer: standard library only, Python 3.9+.

`activate()` is called by sitecustomize in every Python process of a traced run. It patches
process lifecycle and IPC entry points and streams events to the receiver (docs/protocol.md).
"""
from . import _core

__all__ = ["activate"]


def activate():
    if _core.state.active:
        return
    _core.start()
    from . import _processes, _ipc, _hooks, _sync, _pool
    _processes.install()
    _hooks.install({**_processes.MODULE_PATCHES, **_ipc.MODULE_PATCHES, **_sync.MODULE_PATCHES, **_pool.MODULE_PATCHES})
    _core.hello()
