"""The data layer: warehouse, VOC index, embeddings, catalog, importers and the demo generator."""
