"""Data of the demo store (`lanekit demo`): promotions in HQ's wire schema, on the sample catalog's SKUs."""
