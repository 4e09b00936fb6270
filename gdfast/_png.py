"""Drawings straight into PNG files: the demo's pictures and `gdfast fit --plot`.

Imported only where files are wanted: it switches matplotlib to its
file-only backend, so no window ever opens (and none is needed on a server).
"""
import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402


def write_pngs(drawings, folder, *, dpi=80, size=(6, 4.5)):
    """Draw each ``{file name: draw(ax)}`` on its own figure into ``folder``; return the paths."""
    paths = []
    for name, draw in drawings.items():
        fig, ax = plt.subplots(figsize=size)
        draw(ax)
        fig.tight_layout()
        fig.savefig(folder / name, dpi=dpi)
        plt.close(fig)
        paths.append(folder / name)
    return paths
