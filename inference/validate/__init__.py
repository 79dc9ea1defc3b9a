"""Rule validators for VINs, plate numbers and identification numbers (standard library only)."""

from inference.validate.idcard import IdCheck, id_check_char, make_id_number, validate_id_number
from inference.validate.plate import (
    PlateCheck,
    PlateColor,
    PlateCorrection,
    PlateType,
    classify_plate_text,
    correct_plate,
    is_double_row,
    plate_color,
    plate_length,
    plate_lengths,
    validate_plate,
)
from inference.validate.vin import (
    CorrectedChar,
    VinCheck,
    VinCorrection,
    WmiInfo,
    check_digit,
    correct_vin,
    model_years,
    validate_vin,
    wmi_info,
)

__all__ = [
    "CorrectedChar",
    "IdCheck",
    "PlateCheck",
    "PlateColor",
    "PlateCorrection",
    "PlateType",
    "VinCheck",
    "VinCorrection",
    "WmiInfo",
    "check_digit",
    "classify_plate_text",
    "correct_plate",
    "correct_vin",
    "id_check_char",
    "is_double_row",
    "make_id_number",
    "model_years",
    "plate_color",
    "plate_length",
    "plate_lengths",
    "validate_id_number",
    "validate_plate",
    "validate_vin",
    "wmi_info",
]
