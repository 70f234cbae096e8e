"""Draw the app icons (PNG) from the same shapes as static/icons/lantern.svg, with Pillow.

Run once after changing the icon: `uv run python scripts/make_icons.py`. The PNGs are committed.
Maskable icons keep the lantern inside the central 80 % "safe zone" on a full-bleed background.
"""

from __future__ import annotations

from pathlib import Path

from PIL import Image, ImageDraw

ICONS = Path(__file__).resolve().parent.parent / "static" / "icons"
BLUE, WHITE, GOLD, FLAME = "#1d4e89", "#ffffff", "#ffd166", "#e76f51"
SUPERSAMPLE = 4


def draw(size: int, *, maskable: bool) -> Image.Image:
    big = size * SUPERSAMPLE
    image = Image.new("RGBA", (big, big), (0, 0, 0, 0))
    pen = ImageDraw.Draw(image)
    if maskable:
        pen.rectangle((0, 0, big, big), fill=BLUE)
        scale, offset = big * 0.7 / 32, big * 0.15
    else:
        pen.rounded_rectangle((0, 0, big - 1, big - 1), radius=big * 7 / 32, fill=BLUE)
        scale, offset = big / 32, 0.0

    def xy(x: float, y: float) -> tuple[float, float]:
        return (offset + x * scale, offset + y * scale)

    pen.polygon([xy(12, 7), xy(20, 7), xy(19, 10), xy(13, 10)], fill=WHITE)
    pen.rounded_rectangle((*xy(10, 10), *xy(22, 24)), radius=3 * scale, fill=GOLD)
    flame = [xy(16, 13), xy(17.6, 15), xy(18.3, 17), xy(17.5, 18.6), xy(16, 20), xy(14.5, 18.6)]
    pen.polygon([*flame, xy(13.8, 17), xy(14.4, 15)], fill=FLAME)
    pen.rounded_rectangle((*xy(11, 24), *xy(21, 26)), radius=1 * scale, fill=WHITE)
    return image.resize((size, size), Image.Resampling.LANCZOS)


def main() -> None:
    for name, size, maskable in [
        ("app-192.png", 192, False),
        ("app-512.png", 512, False),
        ("app-maskable-512.png", 512, True),
        ("apple-touch-icon.png", 180, True),
    ]:
        draw(size, maskable=maskable).save(ICONS / name, format="PNG", optimize=True)
        print(name, (ICONS / name).stat().st_size, "bytes")


if __name__ == "__main__":
    main()
