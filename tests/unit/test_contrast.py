"""The district's brand colour must keep white text readable (WCAG AA, 4.5:1)."""

from web.staff.admin import contrast_with_white


def test_brand_colour_contrast_with_white_text() -> None:
    assert round(contrast_with_white("#000000"), 1) == 21.0
    assert round(contrast_with_white("#ffffff"), 1) == 1.0
    assert contrast_with_white("#1d4e89") >= 4.5  # the default passes AA
    assert contrast_with_white("#ffd166") < 4.5  # a light yellow does not
