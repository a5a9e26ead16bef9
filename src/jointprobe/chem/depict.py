def depict_svg() -> str:
    raise NotImplementedError
