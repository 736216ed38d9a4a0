"""Where each cache lives: the folder its variable names, none when turned off, else under the user's cache."""

from __future__ import annotations

import pytest

from sim.cache_folders import OFF, cache_folder


def test_the_variable_names_the_folder_or_turns_the_cache_off(monkeypatch, tmp_path):
    monkeypatch.setenv("TRILAT_SOME_CACHE", f" {tmp_path} ")
    assert cache_folder("TRILAT_SOME_CACHE", "kernels") == tmp_path  # the folder itself, not a sub-folder
    for value in (*OFF, "OFF", " Off "):
        monkeypatch.setenv("TRILAT_SOME_CACHE", value)
        assert cache_folder("TRILAT_SOME_CACHE", "kernels") is None


@pytest.mark.parametrize("xdg", ["", "   "])
def test_without_it_the_cache_is_under_the_user_s_cache_folder(monkeypatch, tmp_path, xdg):
    monkeypatch.delenv("TRILAT_SOME_CACHE", raising=False)
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    assert cache_folder("TRILAT_SOME_CACHE", "kernels") == tmp_path / "xdg" / "trilat" / "kernels"
    assert cache_folder("TRILAT_SOME_CACHE") == tmp_path / "xdg" / "trilat"
    monkeypatch.setenv("XDG_CACHE_HOME", xdg)
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    assert cache_folder("TRILAT_SOME_CACHE", "kernels") == tmp_path / "home" / ".cache" / "trilat" / "kernels"
