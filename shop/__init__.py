"""The marketplace's platform-wide packages: the kernel, catalogue, storefront and console."""
