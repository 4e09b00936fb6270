"""Checks that the command line can write where it was told to, made before any work."""
import os
import tempfile
from pathlib import Path

from ._table import InputError


def check_folder(folder, option):
    """Refuse ``folder`` (to be made if missing) when files cannot be written into it."""
    folder = Path(folder)
    if folder.exists() and not folder.is_dir():
        raise InputError(f"{option} {folder}: exists and is not a folder")
    existing = folder
    while not existing.exists():  # the nearest folder that exists, where it would be made
        existing = existing.parent
    if not existing.is_dir():
        raise InputError(f"{option} {folder}: cannot make it: {existing} is not a folder")
    _probe(existing, f"{option} {folder}")


def check_output_file(path, option, input_path):
    """Refuse ``path`` when it is the input file, a folder, or cannot be written."""
    path = Path(path)
    if path.is_dir():
        raise InputError(f"{option} {path}: is a folder; give a file name")
    if path.exists():
        if input_path.exists() and os.path.samefile(path, input_path):
            raise InputError(f"{option} {path}: is the input file; give another name (it "
                             f"would be overwritten)")
        try:
            with open(path, "ab"):  # appends nothing: only asks for write access
                pass
        except OSError as exc:
            raise InputError(f"{option} {path}: cannot write it: {exc.strerror}") from None
        return
    folder = path.parent
    if not folder.is_dir():
        raise InputError(f"{option} {path}: no folder {folder}")
    _probe(folder, f"{option} {path}")


def _probe(folder, what):
    """Write and remove a temporary file in ``folder``: the only test that sees everything
    (permissions, read-only file systems, ACLs, quotas on file creation)."""
    try:
        with tempfile.TemporaryFile(dir=folder):
            pass
    except OSError as exc:
        raise InputError(f"{what}: cannot write in {folder}: {exc.strerror}") from None
