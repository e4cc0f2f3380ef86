"""Cart, checkout, orders and payments (arrive with the orders issue)."""
