package dev.connmon.schedule;

/** More maintenance windows would be current or future than {@link MaintenanceWindows#MAX_WINDOWS}. */
public class TooManyWindowsException extends RuntimeException {
    public TooManyWindowsException() {
        super(
                "At most " + MaintenanceWindows.MAX_WINDOWS + " maintenance windows may be in force or to come; "
                        + "end one first",
                null,
                false,
                false);
    }
}
