NAME = "claim_race"
async def run(smoke): return [], True
