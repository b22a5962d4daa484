// Module Vision.
