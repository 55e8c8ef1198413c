"""Synthetic pictures: the faces used as avatars and the photo the lineage sites share."""

from __future__ import annotations

import io
import random


class Images:
    """Synthetic pictures: faces for avatars and the stolen photo, re-encoded per variant."""

    def __init__(self) -> None:
        self._cache: dict[tuple, bytes] = {}

    @staticmethod
    def _face(key: int, size: int):
        from PIL import Image, ImageDraw

        r = random.Random(key * 7919 + 13)
        img = Image.new("RGB", (128, 128))
        d = ImageDraw.Draw(img)
        c1 = tuple(r.randrange(40, 220) for _ in range(3))
        c2 = tuple(r.randrange(40, 220) for _ in range(3))
        for y in range(128):  # vertical gradient background
            t = y / 127
            d.line([(0, y), (127, y)], fill=tuple(int(a + (b - a) * t) for a, b in zip(c1, c2)))
        for _ in range(r.randrange(3, 6)):
            x0, y0 = r.randrange(0, 100), r.randrange(0, 100)
            w, h = r.randrange(20, 70), r.randrange(20, 70)
            col = tuple(r.randrange(0, 256) for _ in range(3))
            if r.random() < 0.5:
                d.ellipse([x0, y0, x0 + w, y0 + h], fill=col)
            else:
                d.rectangle([x0, y0, x0 + w, y0 + h], fill=col)
        skin = tuple(r.randrange(120, 240) for _ in range(3))
        d.ellipse([40, 28, 88, 84], fill=skin)  # head
        d.pieslice([22, 80, 106, 170], 180, 360, fill=tuple(r.randrange(0, 160) for _ in range(3)))
        return img.resize((size, size)) if size != 128 else img

    @staticmethod
    def _photo(size: tuple[int, int]):
        from PIL import Image, ImageDraw

        r = random.Random(4242)
        img = Image.new("RGB", (320, 240))
        d = ImageDraw.Draw(img)
        for y in range(240):
            t = y / 239
            d.line([(0, y), (319, y)], fill=(int(90 + 120 * t), int(140 + 60 * t), int(200 - 80 * t)))
        d.rectangle([0, 170, 319, 239], fill=(70, 90, 110))  # harbour water
        d.rectangle([200, 60, 250, 175], fill=(180, 40, 40))  # lighthouse
        d.polygon([(195, 60), (255, 60), (225, 30)], fill=(60, 60, 60))
        for _ in range(12):
            x, y = r.randrange(0, 300), r.randrange(170, 230)
            d.ellipse([x, y, x + 18, y + 6], fill=(200, 210, 220))
        d.ellipse([70, 70, 120, 125], fill=(225, 190, 160))  # the person in the photo
        d.rectangle([60, 125, 130, 200], fill=(30, 50, 120))
        return img.resize(size) if size != (320, 240) else img

    def avatar(self, key: int, variant: int) -> bytes:
        k = ("a", key, variant)
        if k not in self._cache:
            sizes = [96, 88, 80, 96, 72]
            quality = [80, 66, 74, 58, 70]
            img = self._face(key, sizes[variant % 5])
            buf = io.BytesIO()
            img.save(buf, "JPEG", quality=quality[variant % 5])
            self._cache[k] = buf.getvalue()
        return self._cache[k]

    def photo(self, variant: int) -> bytes:
        k = ("p", variant)
        if k not in self._cache:
            sizes = [(320, 240), (300, 225), (320, 240), (288, 216)]
            quality = [90, 68, 55, 78]
            img = self._photo(sizes[variant % 4])
            buf = io.BytesIO()
            img.save(buf, "JPEG", quality=quality[variant % 4], optimize=variant % 2 == 1)
            self._cache[k] = buf.getvalue()
        return self._cache[k]
