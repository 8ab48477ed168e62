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
    patches = {**_processes.MODULE_PATCHES, **_ipc.MODULE_PATCHES, **_sync.MODULE_PATCHES, **_pool.MODULE_PATCHES,
               **_shared.MODULE_PATCHES}
    debug = _debug_run()
    if debug is not None:
        patches = debug.with_patches(patches)
    _hooks.install(patches)
    _core.hello()
    if debug is not None:
        debug.start()


def _debug_run():
    """The debugger's module in a debug run (the launcher offered its control channel), else None."""
    import os
    from ._protocol import CONTROL, offered
    if not offered(CONTROL, os.environ):
        return None
    from . import _debug
    return _debug


def watch_main():
    """End of start-up (sitecustomize, after the one it chains to): watch how the main module ends."""
    if _core.state.active:
        from . import _exit
        _exit.watch_main()
        debug = _debug_run()
        if debug is not None:
            debug.after_watch_main()
