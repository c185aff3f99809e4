"""What clients see: response models, the list envelope and the problem document."""
