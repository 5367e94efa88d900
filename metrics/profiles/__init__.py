"""Reading a jurisdiction's Mobility Metrics: profile, disparities, peers, notes (Steps 2 and 5)."""
