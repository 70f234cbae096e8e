"""Insights: aggregate dashboards for district admins, analysts and school admins (never case content)."""
