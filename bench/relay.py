NAME = "relay"
async def run(smoke): return [], True
