"""The demo store: profile, scripted basket, promotions (HQ wire schema) on the sample catalog."""
