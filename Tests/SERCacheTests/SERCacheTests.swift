// The SERCacheTests target: its tests live beside this file.
