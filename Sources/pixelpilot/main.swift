import PixelPilotCLI

PixelPilot.main()
