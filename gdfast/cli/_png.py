"""Drawings straight into PNG files: the demo's pictures and `gdfast fit --plot`.

Imported only where files are wanted: it switches matplotlib to its
file-only backend, so no window ever opens (and none is needed on a server).
"""
import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402


def write_pngs(drawings, folder, *, dpi=80, size=(6, 4.5)):
    """Draw each ``{file name: draw(ax)}`` on its own figure into ``folder``; return the paths.

    A tuple of drawings ``(draw_left, draw_right, ...)`` makes one figure of
    panels side by side, each ``size`` wide.
    """
    paths = []
    for name, draw in drawings.items():
        panels = draw if isinstance(draw, tuple) else (draw,)
        fig, axes = plt.subplots(1, len(panels), figsize=(size[0] * len(panels), size[1]),
                                 squeeze=False)
        for panel, ax in zip(panels, axes[0]):
            panel(ax)
        fig.tight_layout()
        fig.savefig(folder / name, dpi=dpi)
        plt.close(fig)
        paths.append(folder / name)
    return paths
