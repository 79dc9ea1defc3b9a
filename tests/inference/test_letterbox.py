from __future__ import annotations

import numpy as np
import pytest

from inference.ops.letterbox import letterbox


@pytest.mark.parametrize(("hw", "size", "square", "expected_wh"), [
    ((1160, 720), 416, False, (288, 416)),
    ((720, 1280), 320, False, (320, 192)),
    ((100, 100), 320, False, (320, 320)),
    ((1160, 720), 416, True, (416, 416)),
    ((7, 3000), 320, False, (320, 32)),
])
def test_letterbox_shapes_and_mapping(hw, size, square, expected_wh):
    image = np.zeros((*hw, 3), np.uint8)
    image[hw[0] // 2, hw[1] // 2] = 255
    boxed, lb = letterbox(image, size, square=square)
    assert (boxed.shape[1], boxed.shape[0]) == expected_wh == lb.input_wh
    # A point mapped forward and back lands where it started (within a resampling pixel).
    point = np.array([[hw[1] / 2, hw[0] / 2]], np.float32)
    forward = point * lb.scale + np.array(lb.pad_xy, np.float32)
    np.testing.assert_allclose(lb.to_original(forward), point, atol=1e-3)
    unpadded = boxed.shape[:2] == (round(hw[0] * lb.scale), round(hw[1] * lb.scale))
    assert unpadded or boxed[0, 0].tolist() == [114, 114, 114] or boxed[-1, -1].tolist() == [114, 114, 114]
