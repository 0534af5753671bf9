"""Rules and data of parallel project approval: the approval plan and the commitment."""
