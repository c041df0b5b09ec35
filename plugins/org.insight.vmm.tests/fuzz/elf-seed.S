	.text
	.globl _start
	.type _start, @function
_start:
	call helper
	mov $60, %eax
	xor %edi, %edi
	syscall
	.size _start, .-_start
	.globl helper
	.type helper, @function
helper:
	lea counter(%rip), %rax
	incl (%rax)
	ret
	.size helper, .-helper
	.data
	.globl counter
	.type counter, @object
counter:
	.long 3
	.size counter, 4
	.bss
	.globl buffer
	.type buffer, @object
buffer:
	.zero 8192
	.size buffer, 8192
