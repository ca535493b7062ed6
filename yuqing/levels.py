from yuqing.detection.grading import Level


def parse_level(value):
    if isinstance(value, str) and value.strip().isdigit():
        value = int(value)
    return Level.from_label(value)
