"""Process View tracer: standard library only, Python 3.9+.

`activate()` is called by sitecustomize in every Python process of a traced run. It patches
process lifecycle and IPC entry points and streams events to the receiver (docs/protocol.md).
"""
from . import _core

__all__ = ["activate", "watch_main"]


def activate():
    if _core.state.active:
        return
    _core.start()
    from . import _processes, _ipc, _hooks, _sync, _pool, _exit, _shared
    _processes.install()
    _exit.install()
    _hooks.install({**_processes.MODULE_PATCHES, **_ipc.MODULE_PATCHES, **_sync.MODULE_PATCHES, **_pool.MODULE_PATCHES,
                   **_shared.MODULE_PATCHES})
    _core.hello()


def watch_main():
    """End of start-up (sitecustomize, after the one it chains to): watch how the main module ends."""
    if _core.state.active:
        from . import _exit
        _exit.watch_main()
