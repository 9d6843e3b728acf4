"""The PC-DARTS cell space (Xu et al. 2020; Shi, Njor et al. 2025): pure descriptions
(`genotype`, `arch`) shared by the estimator, and the Keras networks built from them."""
