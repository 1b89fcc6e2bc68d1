"""Word spaces (a run's embedding or GloVe), their projections, polarity, neighbours and the Projector export."""
