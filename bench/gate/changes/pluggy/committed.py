"""pluggy 1.5.0 (src layout): a helper with an untested branch and an untested error path."""
p = "src/pluggy/_manager.py"
s = open(p).read()
s += '''

def _plugin_names(pm: PluginManager, *, sort: bool = False, limit: int | None = None) -> list[str]:
    """Names of the registered plugins (helper added by rigor's bench)."""
    if limit is not None and limit < 0:
        raise ValueError("limit must not be negative")
    names = [name for name, _ in pm.list_name_plugin() if name is not None]
    if sort:
        names.sort()
    if limit is not None:
        names = names[:limit]
    return names
'''
open(p, "w").write(s)
t = "testing/test_pluginmanager.py"
open(t, "a").write('''

def test_plugin_names(pm: PluginManager) -> None:
    from pluggy._manager import _plugin_names

    class Plugin:
        pass

    pm.register(Plugin(), name="b")
    pm.register(Plugin(), name="a")
    assert set(_plugin_names(pm)) == {"a", "b"}
''')
