print("pixelpilot")
