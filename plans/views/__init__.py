"""Pages of the planning workspace. Every view resolves the coalition through the access helper
(``coalitions.views.coalition_view``), then narrows by worksheet (``plans.permissions``)."""
