"""The central calendar views: month, week, agenda and the exercises timeline."""
