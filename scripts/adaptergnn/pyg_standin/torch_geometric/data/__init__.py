from .._standin import Batch, Data, DataLoader, Dataset, InMemoryDataset  # noqa: F401
