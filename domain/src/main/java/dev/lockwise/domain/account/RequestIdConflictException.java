package dev.lockwise.domain.account;

import dev.lockwise.domain.LockwiseException;

/** The request id was already used for a different deposit (another account or amount); nothing was applied. */
public class RequestIdConflictException extends LockwiseException {
    private static final long serialVersionUID = 1L;

    /**
     * @param requestId the id used again
     * @param recorded the deposit it was first used for
     */
    public RequestIdConflictException(RequestId requestId, DepositReceipt recorded) {
        super("request id '" + requestId + "' was already used for a deposit of " + recorded.amount()
                + " into account " + recorded.accountId() + "; use a new request id for a different deposit");
    }
}
