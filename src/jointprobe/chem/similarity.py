class SimilarSubstance:
    pass


def similar() -> None:
    raise NotImplementedError
